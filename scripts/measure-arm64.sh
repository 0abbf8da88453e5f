#!/usr/bin/env bash
# Measures passgated on arm64: the stripped size of the binaries (scripts/cross-build-arm64.sh)
# and the daemon's resident memory, running the aarch64 build under qemu-aarch64-static and,
# for comparison, the x86-64 build natively, with the same config and workload: the sim I/O
# backend, the tracking engine and payment gateway simulators on loopback (native), and the
# rig playing SHOPPERS (default 40) admitted shoppers through entry lane 1 and as many leavers
# through exit lane 2, the carts finalized and charged. Prints VmRSS once the gate is ready and
# idle, and VmRSS/VmHWM after the workload.
# Under qemu-user the process is the emulator: its RSS also holds qemu itself, its heap and the
# translated code, so the script splits those mappings out (/proc/PID/smaps) and prints the
# guest's part, the nearest figure to what the daemon takes on a real arm64 board.
# PASSGATE_ARM64_BUILD_DIR (default build/arm64), PASSGATE_BUILD_DIR (the native build,
# default build/release, where the simulators come from too).
set -euo pipefail
cd "$(dirname "$0")/.."

shoppers=${SHOPPERS:-40}
scripts/cross-build-arm64.sh
arm64=${PASSGATE_ARM64_BUILD_DIR:-build/arm64}
native=${PASSGATE_BUILD_DIR:-build/release}
scripts/build-release.sh "$native" passgated passgate-sim passgatectl
sim="$native/tools/passgate-sim"
ctl="$native/tools/passgatectl"

work=$(mktemp -d /tmp/passgate-measure.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

issuer="https://app.example-retail.com"
store="store-0042"
kid="measure"
"$sim" token keygen --alg es256 --kid "$kid" --private "$work/issuer.pem" --jwks "$work/issuer.jwks.json" >/dev/null
(umask 077; echo "sk_test_measure" >"$work/gateway.key"; head -c 32 /dev/urandom >"$work/seal.key")

# The workload: shoppers walk in through lane 1, then as many people leave through lane 2.
{
  for i in $(seq "$shoppers"); do printf '[[step]]\nkind = "shopper"\nlane = 1\nsubject = "shp_%d"\n\n' "$i"; done
  for _ in $(seq "$shoppers"); do printf '[[step]]\nkind = "exit"\nlane = 2\n\n'; done
} >"$work/workload.toml"

# kib PID FIELD: a field of /proc/PID/status, in KiB.
kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# emulator_kib PID: the Rss of qemu's own mappings (its binary, its heap, the translated code:
# anonymous executable memory; the guest's code is mapped from its files).
emulator_kib() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { own = ($6 ~ /qemu-aarch64/ || $6 == "[heap]" || ($2 ~ /x/ && $6 == "")) }
       own && $1 == "Rss:" { sum += $2 } END { print sum + 0 }' "/proc/$1/smaps"
}

# measure LABEL COMMAND...: runs the gate (COMMAND --config FILE) against fresh simulators and
# a fresh database, plays the workload, and prints one line of figures.
measure() {
  local label=$1; shift
  local emulated=0
  [ "$(basename "$1")" = qemu-aarch64-static ] && emulated=1
  local run="$work/$label"
  mkdir -p "$run"
  cp "$work/issuer.jwks.json" "$work/gateway.key" "$work/seal.key" "$run/"
  local sim_pids=()
  for name in tracking gateway; do
    local extra=(--finalize-after-ms 500)
    [ "$name" = gateway ] && extra=(--api-key-file "$run/gateway.key" --quiet)
    "$sim" "$name" --port 0 --control-port 0 "${extra[@]}" --port-file "$run/$name.ports" >"$run/$name.log" 2>&1 &
    sim_pids+=($!); pids+=($!)
    for _ in $(seq 100); do [ -s "$run/$name.ports" ] && break; sleep 0.1; done
    [ -s "$run/$name.ports" ] || { echo "passgate-sim $name did not start:"; cat "$run/$name.log"; exit 1; }
  done
  port_of() { sed -E 's/.*"port":([0-9]+).*/\1/' "$run/$1.ports"; }
  cat >"$run/passgate.toml" <<TOML
store_id = "$store"
gate_id = "gate-measure"

[tokens]
issuer = "$issuer"
keyset = "issuer.jwks.json"

[[lanes]]
number = 1
kind = "entry"

[[lanes]]
number = 2
kind = "exit"

[io]
backend = "sim"

[io.sim]
socket = "$run/rig.sock"

[tracking]
base_url = "http://127.0.0.1:$(port_of tracking)"

[payments]
gateway_url = "http://127.0.0.1:$(port_of gateway)"
api_key_file = "gateway.key"
seal_key_file = "seal.key"
carts_poll_interval_ms = 500

[database]
path = "$run/passgate.db"

[control]
socket = "$run/control.sock"

[metrics]
listen = "127.0.0.1:0"
TOML
  "$ctl" check-config "$run/passgate.toml" >/dev/null
  "$@" --config "$run/passgate.toml" >"$run/passgated.log" 2>&1 &
  local gated=$!
  pids+=($gated)
  for _ in $(seq 300); do [ -S "$run/rig.sock" ] && [ -S "$run/control.sock" ] && break; sleep 0.1; done
  [ -S "$run/control.sock" ] || { echo "passgated ($label) did not start:"; cat "$run/passgated.log"; exit 1; }
  sleep 2
  local idle idle_emu=0
  idle=$(kib "$gated" VmRSS); [ $emulated = 1 ] && idle_emu=$(emulator_kib "$gated")
  local verdict=PASS
  "$sim" rig --socket "$run/rig.sock" --issuer-key "$work/issuer.pem" --kid "$kid" --issuer "$issuer" \
    --audience "$store" --scenario "$work/workload.toml" --time-scale 0.2 >"$run/rig.log" 2>&1 || verdict=FAIL
  # The gate has settled: nothing waits in its outbox or its payment queue (up to 30 s).
  for _ in $(seq 300); do
    "$ctl" status --config "$run/passgate.toml" --json >"$run/status.json" 2>/dev/null || true
    grep -q '"outbox":0' "$run/status.json" && grep -q '"outstanding":0' "$run/status.json" && break
    sleep 0.1
  done
  local rss hwm emu=0
  rss=$(kib "$gated" VmRSS); hwm=$(kib "$gated" VmHWM); [ $emulated = 1 ] && emu=$(emulator_kib "$gated")
  printf '%-22s %8s %8s %8s %8s   rig %s\n' "$label" "$((idle - idle_emu))" "$((rss - emu))" "$hwm" "$emu" "$verdict"
  [ "$verdict" = PASS ] || tail -n 20 "$run/rig.log"
  kill -TERM "$gated" "${sim_pids[@]}"
  for _ in $(seq 100); do kill -0 "$gated" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$gated" 2>/dev/null; then
    echo "passgated ($label) did not stop on SIGTERM within 10 s"; kill -KILL "$gated"; exit 1
  fi
  wait "$gated" "${sim_pids[@]}" 2>/dev/null || true
}

echo "== resident memory of passgated, KiB (workload: $shoppers shoppers in, $shoppers out)"
printf '%-22s %8s %8s %8s %8s\n' "" "idle" "after" "VmHWM" "emulator"
measure arm64-qemu qemu-aarch64-static "$arm64/passgated/passgated"
measure x86-64 "$native/passgated/passgated"
echo "idle/after: VmRSS less the emulator's own mappings (qemu, its heap, translated code);"
echo "VmHWM: peak of the whole process (under qemu including the emulator)"
