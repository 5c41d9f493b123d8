#!/bin/sh
# Runs inside the image (chrooted) at build time, after the payloads. Makes the .ova smaller without changing what
# runs:
# 1. The Nutshell is a virtual machine (VirtualBox, QEMU): it needs none of the graphics, sound, media, wireless,
#    Bluetooth, InfiniBand, industrial-I/O, CAN or staging drivers Debian's kernel ships (its modules were 383 MB of a
#    1.2 GB root). What a VM and the platform use stays: e1000, virtio, AHCI, ext4, overlay, bridge, veth,
#    netfilter, FUSE.
# 2. The containers' read-only base (/var/lib/conpaas/container) holds many files the Nutshell holds too (Debian's,
#    and the platform in /usr/local): identical files under /usr become one file with two names. The containers'
#    overlays never write to their base, so neither side can change the other's files through the link.
set -eu
for kernel in /usr/lib/modules/*; do
    [ -d "$kernel/kernel" ] || continue
    for unused in drivers/gpu drivers/media sound drivers/infiniband drivers/iio drivers/staging drivers/net/wireless \
                  net/wireless drivers/bluetooth net/bluetooth drivers/isdn drivers/net/can net/can drivers/net/wwan; do
        rm -rf "$kernel/kernel/$unused"
    done
    depmod "$(basename "$kernel")"
done
if [ -d /var/lib/conpaas/container/usr ]; then
    hardlink --quiet --ignore-time /usr /var/lib/conpaas/container/usr
fi
