#!/usr/bin/env bash
# Bootstrap: build the build host, install the host tools its plan needs (Debian, as root), then run it.
# Usage: ./build.sh [--target NAME] [--dry-run] [--help]     (see README.md)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet, version in global.json) is not installed; see https://dot.net" >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host >/dev/null; then
  dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host
  exit 1
fi
host=(dotnet out/build-host/build.dll)

install=1
for arg in "$@"; do
  case "$arg" in --help | -h | -\? | --dry-run | -n) install=0 ;; esac
done

# The build host knows the plan (the target and what it depends on) and which of its host tools are missing.
if [ "$install" = 1 ] && missing=$("${host[@]}" "$@" --missing-tools 2>/dev/null) && [ -n "$missing" ]; then
  # Each line: the tool, and the package as apt takes it: package/CODENAME-backports for a newer version than the
  # release's (apt then takes what it needs from there too), whose suite must be among apt's sources.
  tools=$(cut -d' ' -f1 <<<"$missing" | tr '\n' ' ')
  packages=$(cut -d' ' -f2 <<<"$missing" | sort -u | tr '\n' ' ')
  suites=$(grep -o '/[^ ]*' <<<"$packages" | tr -d / | sort -u || true)
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: these host tools are missing: $tools" >&2
    echo "build.sh: install them with: sudo apt-get install -y $packages" >&2
    [ -n "$suites" ] && echo "build.sh: (with $suites among apt's sources)" >&2
    exit 1
  fi
  echo "build.sh: installing host tools: $packages"
  export DEBIAN_FRONTEND=noninteractive
  for suite in $suites; do
    # apt reads *.list and *.sources; a commented-out line or a backup file does not count.
    if ! grep -qsE "^[^#]*[[:space:]]$suite([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
      echo "build.sh: adding $suite to apt's sources (/etc/apt/sources.list.d/$suite.sources)"
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$suite" > "/etc/apt/sources.list.d/$suite.sources"
    fi
  done
  # Servers among them (nginx, php-fpm, memcached) are tools here, started by the platform when it needs them:
  # their packages must not start them as daemons (policy-rc.d says no to every start while apt runs).
  ours=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && ours=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  # shellcheck disable=SC2086 # a list of package names
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
  if [ "$ours" = 1 ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
fi

exec "${host[@]}" "$@"
