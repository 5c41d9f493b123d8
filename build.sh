#!/usr/bin/env bash
# Bootstrap: install the host tools the chosen target needs (Debian, as root), then run the build host.
# Usage: ./build.sh [--target NAME] [--dry-run] [--help]     (see README.md)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

target=""
install=1
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --target | -t) target="${args[$((i + 1))]:-}" ;;
    --target=*) target="${args[$i]#--target=}" ;;
    --help | -h | -\? | --dry-run | -n) install=0 ;;
  esac
done
if [ -z "$target" ]; then
  # The build host's default target, read from the one place it is defined.
  target=$(sed -n 's/.*const string Default = "\([A-Za-z]*\)".*/\1/p' build/BuildTargets.cs)
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "build.sh: the .NET SDK (dotnet, version in global.json) is not installed; see https://dot.net" >&2
  exit 1
fi

has_tool() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }

# build/host-tools.txt: "Target  command  package" lines (case-insensitive target names).
missing_packages=()
missing_tools=()
while read -r t tool package; do
  case "$t" in "" | \#*) continue ;; esac
  [ "${t,,}" = "${target,,}" ] || continue
  if ! has_tool "$tool"; then
    missing_tools+=("$tool")
    [[ " ${missing_packages[*]-} " == *" $package "* ]] || missing_packages+=("$package")
  fi
done < build/host-tools.txt

if [ "${#missing_packages[@]}" -gt 0 ] && [ "$install" = 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: target $target needs host tools that are missing: ${missing_tools[*]}" >&2
    echo "build.sh: install them with: sudo apt-get install -y ${missing_packages[*]}" >&2
    exit 1
  fi
  echo "build.sh: installing host tools for $target: ${missing_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host >/dev/null || {
  dotnet build build/Build.csproj -c Release --nologo -v quiet -clp:ErrorsOnly -o out/build-host
  exit 1
}
exec dotnet out/build-host/build.dll "$@"
