#!/usr/bin/env bash
# The simulated store: installs what is missing, builds, then runs the tracking engine
# simulator, passgated (sim backend, database in a temporary directory) and the rig with
# the built-in demo scenario of about 20 shoppers. Prints a summary and exits 0 only when
# the outcome is the expected one. Options: --keep (leave the temp dir), --time-scale X.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

keep=0
time_scale=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --time-scale) time_scale=$2; shift ;;
    *) echo "usage: scripts/demo.sh [--keep] [--time-scale X]" >&2; exit 2 ;;
  esac
  shift
done

scripts/bootstrap.sh
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target passgated passgate-sim passgatectl
sim="$root/$build/tools/passgate-sim"
gated="$root/$build/controller/main/passgated"
ctl="$root/$build/tools/passgatectl"

work=$(mktemp -d /tmp/passgate-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$keep" = 1 ]; then echo "demo files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

issuer="https://app.example-retail.com"
store="store-0042"
kid="demo-2026-11"

# The app backend's signing key; the gate only ever gets the public JWK Set.
"$sim" token keygen --alg es256 --kid "$kid" --private "$work/issuer.pem" --jwks "$work/issuer.jwks.json" >/dev/null

"$sim" tracking --port 0 --control-port 0 --port-file "$work/tracking.ports" --block shp_blocked \
  >"$work/tracking.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/tracking.ports" ] && break; sleep 0.1; done
[ -s "$work/tracking.ports" ] || { echo "tracking simulator did not start:"; cat "$work/tracking.log"; exit 1; }
port=$(sed -E 's/.*"port":([0-9]+).*/\1/' "$work/tracking.ports")
control=$(sed -E 's/.*"control_port":([0-9]+).*/\1/' "$work/tracking.ports")

cat >"$work/passgate.toml" <<TOML
# Demo gate: two entry lanes and one exit lane on the simulated rig.
store_id = "$store"
gate_id = "gate-demo"

[tokens]
issuer = "$issuer"
keyset = "issuer.jwks.json"

[[lanes]]
number = 1
kind = "entry"
group_limit = 4

[[lanes]]
number = 2
kind = "entry"
group_limit = 4

[[lanes]]
number = 3
kind = "exit"

[io]
backend = "sim"

[io.sim]
socket = "$work/rig.sock"

[tracking]
base_url = "http://127.0.0.1:$port"
entry_timeout_ms = 800

[offline]
policy = "admit"
max_admissions_per_hour = 2

[database]
path = "$work/passgate.db"

[logging]
level = "info"
TOML

"$ctl" check-config "$work/passgate.toml" >/dev/null
"$gated" --config "$work/passgate.toml" >"$work/passgated.log" 2>&1 &
gated_pid=$!
pids+=($gated_pid)
for _ in $(seq 100); do [ -S "$work/rig.sock" ] && break; sleep 0.1; done
[ -S "$work/rig.sock" ] || { echo "passgated did not start:"; cat "$work/passgated.log"; exit 1; }

echo "== playing the demo scenario (rig log below)"
rig_status=0
"$sim" rig --socket "$work/rig.sock" --issuer-key "$work/issuer.pem" --kid "$kid" --issuer "$issuer" \
  --audience "$store" --scenario builtin:demo --tracking-control-port "$control" \
  --time-scale "$time_scale" --summary-json "$work/rig-summary.json" || rig_status=$?

# Let the outbox drain what the outage queued, then compare both sides' sessions.
for _ in $(seq 100); do
  "$ctl" status --config "$work/passgate.toml" --json --sessions >"$work/gate-status.json" 2>/dev/null || true
  grep -q '"outbox":0' "$work/gate-status.json" && break
  sleep 0.1
done
"$sim" tracking-ctl --control-port "$control" state >"$work/tracking-state.json"

python3 "$root/scripts/demo_summary.py" "$work/rig-summary.json" "$work/tracking-state.json" \
  "$work/gate-status.json" || rig_status=1

kill -TERM "$gated_pid"
wait "$gated_pid" || true
if [ "$rig_status" -ne 0 ]; then
  echo "demo FAILED; passgated log tail:"; tail -n 40 "$work/passgated.log"
  exit 1
fi
echo "demo OK"
