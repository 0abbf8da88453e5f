#!/usr/bin/env bash
# Payment queue benchmark (not a test): starts the gateway simulator on loopback and runs
# passgate-bench-queue: the cost of one durable enqueue, the drain rate of COUNT (default
# 10000) queued operations after an outage, and the simulator's own capacity as the floor.
# IN_FLIGHT (default 4) is the drainer's max_in_flight.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${COUNT:-10000}
in_flight=${IN_FLIGHT:-4}

scripts/bootstrap.sh
build=${PASSGATE_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target passgate-sim passgate-bench-queue >/dev/null
sim="$root/$build/tools/passgate-sim"

work=$(mktemp -d /tmp/passgate-bench-queue.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

printf 'sk_test_bench\n' >"$work/gateway.key"
chmod 600 "$work/gateway.key"
"$sim" gateway --port 0 --control-port 0 --port-file "$work/gateway.ports" --api-key-file "$work/gateway.key" --quiet \
  >"$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/gateway.ports" ] && break; sleep 0.1; done
[ -s "$work/gateway.ports" ] || { echo "gateway simulator did not start:"; cat "$work/gateway.log"; exit 1; }
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$work/gateway.ports")

"$root/$build/tools/passgate-bench-queue" --gateway-url "http://127.0.0.1:$port" --api-key-file "$work/gateway.key" \
  --database "$work/bench.db" --count "$count" --in-flight "$in_flight" --json "${JSON_OUT:-$work/bench-queue.json}"
