#!/bin/sh
# Runs inside the image (chrooted) at build time. Completes /etc/conpaas-release, which the appliance's overlay starts
# with its NAME, with what was built and when, from SOURCE_DATE_EPOCH, so the file is the same in every rebuild of the
# same commit.
set -eu
{
  echo "BUILD_DATE=\"$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)\""
  echo "DEBIAN_VERSION=\"$(cat /etc/debian_version)\""
} >> /etc/conpaas-release
