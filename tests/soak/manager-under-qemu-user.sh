#!/bin/bash
# Soak test: the x86-64 cpsmanager under a qemu-user emulator, as on the Raspberry Pi (README, "Raspberry Pi"), but on
# this machine's local driver, so that an emulator's crash shows in minutes instead of in an hour of RpiClusterTest.
# Each round starts application 1, adds a generic service, starts it and stops the application again; the manager
# then restores every service it has, so later rounds ask more of it.
#
#   tests/soak/manager-under-qemu-user.sh QEMU ROUNDS
#
# QEMU is a qemu-x86_64 binary (static, as the Pi's: e.g. unpacked with dpkg-deb -x from Debian's qemu-user
# package), or "native" for the baseline. Needs root (nodes are confined) and out/platform (./build.sh --target Tools).
# Prints one line per failed round and a summary; exits 1 if a round failed or the emulator killed the manager.
set -euo pipefail
qemu=${1:?usage: $0 QEMU|native ROUNDS}; rounds=${2:?usage: $0 QEMU|native ROUNDS}
programs=$(cd "$(dirname "$0")/../.." && pwd)/out/platform/lib/conpaas
[ -x "$programs/cpsmanager" ] || { echo "$0: no $programs/cpsmanager; run ./build.sh --target Tools" >&2; exit 2; }
# Not under /tmp: confined nodes get a private /tmp and must still reach the wrapper and the emulator.
work=$(mktemp -d /var/tmp/manager-soak.XXXXXX); chmod 755 "$work"
director=
trap '[ -n "$director" ] && kill "$director" 2>/dev/null; wait; rm -rf "$work"' EXIT

mkdir "$work/bin"; ln -s "$programs/cpsagent" "$work/bin/cpsagent"
if [ "$qemu" = native ]; then ln -s "$programs/cpsmanager" "$work/bin/cpsmanager"
else
    # Inside bin/: a confined node sees LOCAL_BIN_DIR, bound into its namespace, but not the rest of /var/tmp.
    cp "$qemu" "$work/bin/qemu-x86_64"; chmod 755 "$work/bin/qemu-x86_64"
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$work/bin/qemu-x86_64" "$programs/cpsmanager" > "$work/bin/cpsmanager"; chmod 755 "$work/bin/cpsmanager"
fi

# 'cpsdirector sandbox' makes the state (CA, user test, cps-tools.conf) and serves it, its manager the wrapper
# ([iaas] LOCAL_BIN_DIR from the environment, as every director setting).
port=$(( 20000 + RANDOM % 10000 )); subnet="127.$(( 100 + RANDOM % 150 )).$(( 1 + RANDOM % 250 )).0/24"
CPSDIRECTOR_IAAS_LOCAL_BIN_DIR=$work/bin "$programs/cpsdirector" sandbox "$work/state" --port "$port" --subnet "$subnet" > "$work/director.log" 2>&1 & director=$!
until curl -sk "https://127.0.0.1:$port/version" > /dev/null; do sleep 0.2; done

export HOME=$work
tools() { "$programs/cps-tools" --conf_file "$work/state/cps-tools.conf" "$@"; }
tools user get_certificate > /dev/null
tools application create soak > /dev/null
failed=0; started=$(date +%s)
for round in $(seq 1 "$rounds"); do
    if ! { tools application start 1 && tools service add generic 1 && tools service start 1 "$round" &&
           tools service get_state 1 "$round" | grep -q RUNNING; } > /dev/null 2> "$work/error"; then
        failed=$(( failed + 1 )); echo "round $round failed: $(tail -n 2 "$work/error")"
    fi
    tools application stop 1 > /dev/null 2>&1 || true
done
crashes=$(cat "$work"/state/data/nodes/*/node.log | grep -c "uncaught target signal" || true)
echo "$qemu: $(( rounds - failed )) of $rounds rounds passed, the emulator killed the manager $crashes times, $(( $(date +%s) - started )) s"
[ "$failed" = 0 ] && [ "$crashes" = 0 ]
