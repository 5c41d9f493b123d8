#!/bin/sh
# Runs inside the image (chrooted) at build time. The Pi emulates one architecture, x86-64 (the ConPaaS node
# programs in its containers); qemu-user brings 30-odd emulators as static binaries (364 MB). Keep x86-64's and its
# binfmt registration, drop the others with theirs (a registration whose emulator is gone would fail at boot).
set -eu
for emulator in /usr/bin/qemu-*; do
    target=${emulator#/usr/bin/qemu-}
    [ "$target" = x86_64 ] && continue
    rm -f "$emulator" "/usr/libexec/qemu-binfmt/$target-binfmt-P" "/usr/lib/binfmt.d/qemu-$target.conf" \
          "/usr/share/qemu/binfmt.d/qemu-$target.conf"
done
test -x /usr/bin/qemu-x86_64 && test -e /usr/lib/binfmt.d/qemu-x86_64.conf
