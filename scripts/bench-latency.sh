#!/usr/bin/env bash
# Scan-to-release latency benchmark (not a test): starts passgated (debounce 0) against
# the tracking simulator on loopback, then with the tracking engine unreachable and the
# offline policy "admit", and times COUNT scans (default 1000) in each case with
# passgate-bench, as the rig sees it (its `scan` message to the gate's `release_in` 1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${COUNT:-1000}

scripts/bootstrap.sh
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target passgated passgate-sim passgate-bench >/dev/null
sim="$root/$build/tools/passgate-sim"
gated="$root/$build/controller/main/passgated"
bench="$root/$build/tools/passgate-bench"

work=$(mktemp -d /tmp/passgate-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

issuer="https://app.example-retail.com"; store="store-bench"; kid="bench"
"$sim" token keygen --alg es256 --kid "$kid" --private "$work/issuer.pem" --jwks "$work/issuer.jwks.json" >/dev/null
"$sim" tracking --port 0 --control-port 0 --port-file "$work/tracking.ports" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/tracking.ports" ] && break; sleep 0.1; done
port=$(sed -E 's/.*"port":([0-9]+).*/\1/' "$work/tracking.ports")
# A loopback port nobody listens on: the engine is unreachable (connection refused).
(umask 077; printf 'sk_test_bench\n' >"$work/gateway.key"; head -c 32 /dev/urandom >"$work/seal.key")
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

run_case() {
  local name=$1 url=$2 policy=$3
  rm -f "$work/gate.db"* "$work/rig.sock"
  cat >"$work/gate.toml" <<TOML
store_id = "$store"
gate_id = "gate-bench"
[tokens]
issuer = "$issuer"
keyset = "issuer.jwks.json"
[[lanes]]
number = 1
kind = "entry"
[io]
backend = "sim"
[io.sim]
socket = "$work/rig.sock"
debounce_ms = 0
[tracking]
base_url = "$url"
[offline]
policy = "$policy"
max_admissions_per_hour = 10000
[payments]
# No hold at entry, so the gateway is not on the scan path (carts never arrive here).
gateway_url = "http://127.0.0.1:$closed_port"
api_key_file = "$work/gateway.key"
seal_key_file = "$work/seal.key"
[database]
path = "$work/gate.db"
[control]
socket = "$work/control.sock"
[logging]
level = "warn"
TOML
  "$gated" --config "$work/gate.toml" >"$work/gated-$name.log" 2>&1 &
  local gpid=$!
  for _ in $(seq 100); do [ -S "$work/rig.sock" ] && break; sleep 0.1; done
  printf '%-40s ' "$name:"
  "$bench" --socket "$work/rig.sock" --issuer-key "$work/issuer.pem" --kid "$kid" --issuer "$issuer" \
    --audience "$store" --count "$count"
  kill "$gpid"; wait "$gpid" || true
}

run_case "tracking engine on loopback" "http://127.0.0.1:$port" deny
run_case "offline policy (engine unreachable)" "http://127.0.0.1:$closed_port" admit
