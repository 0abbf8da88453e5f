#!/usr/bin/env bash
# The simulated store, a full day: installs what is missing, builds, then runs the tracking
# engine simulator (its cameras finalize each shopper's cart with random items, some empty),
# the payment gateway simulator, passgated (sim backend, database and keys in a temporary
# directory) and the rig with the built-in demo scenario: entries, every denial, exits, card
# shoppers tapping at the lanes' readers (paid from the hold, a cart above the hold, a declined
# card, a card tapped twice, a reader offline for a while), a fire drill, a tracking engine
# outage, a gateway outage (payments queue up, then drain) and a declined card (dead-letter).
# Prints a summary and a reconciliation of carts, card holds, the gate's payment queue and the
# gateway's ledger. Then a store with two entrances (scripts/demo_store.py): two passgated
# sharing a three-member etcd cluster it starts, a token replayed at the second entrance denied,
# an etcd member killed mid-day, one occupancy for the store. Exits 0 only when both outcomes
# are the expected ones. Options: --keep (leave the temp dir), --time-scale X (the store day's).
# PASSGATE_BUILD_DIR: the build directory to use (default build/release).
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
build=${PASSGATE_BUILD_DIR:-build/release}
scripts/build-release.sh "$build" passgated passgate-sim passgatectl
case "$build" in /*) ;; *) build="$root/$build" ;; esac
sim="$build/tools/passgate-sim"
gated="$build/passgated/passgated"
ctl="$build/tools/passgatectl"

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
# The cameras finalize a cart this long after the shopper walked in (scaled like the rig's
# own pace, so the scenario's gateway outage still spans some carts), with carts drawn from
# this seed: the same seed gives the same carts every day.
finalize_after_ms=$(awk -v s="$time_scale" 'BEGIN { printf "%d", 2000 * s }')
cart_seed=7
declined_shopper="shp_declined"  # pays with pm_card_chargeDeclined in demo.toml
# Card-tap entry: the hold placed on a card at its tap (demo.toml's card-big-cart has a cart
# above it, card-paid one within it).
hold_minor=2000

# The app backend's signing key; the gate only ever gets the public JWK Set.
"$sim" token keygen --alg es256 --kid "$kid" --private "$work/issuer.pem" --jwks "$work/issuer.jwks.json" >/dev/null
# The gateway's secret key and the key that seals payment references at rest: root-only files.
# The demo's sealing key is derived from the cart seed instead of drawn at random: the gate
# names a card shopper by a hash of the card keyed with it, so with the same key every day each
# test card is the same shopper to the cameras and gets the same cart. A store's key is random.
(umask 077; echo "sk_test_demo_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$work/gateway.key")
(umask 077; python3 -c 'import hashlib, sys; sys.stdout.buffer.write(hashlib.sha256(sys.argv[1].encode()).digest())' \
  "passgate demo sealing key, cart seed $cart_seed" >"$work/seal.key")

# start_simulator NAME ARGS...: runs `passgate-sim NAME ARGS... --port-file $work/NAME.ports`
# in the background, logging to $work/NAME.log, and waits until it has written its ports.
start_simulator() {
  local name=$1; shift
  "$sim" "$name" "$@" --port-file "$work/$name.ports" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$work/$name.ports" ] && return 0; sleep 0.1; done
  echo "$name simulator did not start:"; cat "$work/$name.log"; exit 1
}
port_of() { sed -E "s/.*\"$2\":([0-9]+).*/\1/" "$work/$1.ports"; }

start_simulator tracking --port 0 --control-port 0 --block shp_blocked \
  --finalize-after-ms "$finalize_after_ms" --cart-seed "$cart_seed"
port=$(port_of tracking port)
control=$(port_of tracking control_port)
start_simulator gateway --port 0 --control-port 0 --api-key-file "$work/gateway.key" \
  --reader tmr_lane1 --reader tmr_lane2
gateway_port=$(port_of gateway port)
gateway_control=$(port_of gateway control_port)

cat >"$work/passgate.toml" <<TOML
# Demo gate: two entry lanes (each with a card reader) and one exit lane on the simulated rig.
store_id = "$store"
gate_id = "gate-demo"

[tokens]
issuer = "$issuer"
keyset = "issuer.jwks.json"

[[lanes]]
number = 1
kind = "entry"
group_limit = 4
terminal_reader = "tmr_lane1"  # card-tap entry too

[[lanes]]
number = 2
kind = "entry"
group_limit = 4
terminal_reader = "tmr_lane2"

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

[payments]
gateway_url = "http://127.0.0.1:$gateway_port"
api_key_file = "gateway.key"
seal_key_file = "seal.key"
hold_amount_minor = 0          # no pre-authorization at entry: carts are charged at the end
carts_poll_interval_ms = 500
retry_initial_ms = 500
retry_max_ms = 3000

[terminal]                     # the readers, through the gateway simulator's terminal API
hold_amount_minor = $hold_minor
poll_slow_ms = 500             # quicker than the default 2 s, for a demo

[database]
path = "$work/passgate.db"

[control]
socket = "$work/control.sock"

[metrics]
listen = "127.0.0.1:0"         # any free port (logged as event=metrics_listening)

[status_page]
listen = "127.0.0.1:0"         # any free port (logged as event=status_page_ready url=...)

[logging]
level = "info"
TOML

"$ctl" check-config "$work/passgate.toml" >/dev/null
"$gated" --config "$work/passgate.toml" >"$work/passgated.log" 2>&1 &
gated_pid=$!
pids+=($gated_pid)
for _ in $(seq 100); do [ -S "$work/rig.sock" ] && break; sleep 0.1; done
[ -S "$work/rig.sock" ] || { echo "passgated did not start:"; cat "$work/passgated.log"; exit 1; }
# The technician's status page, live while the day runs (docs/status-page.md).
for _ in $(seq 100); do grep -q 'event=ready ' "$work/passgated.log" && break; sleep 0.1; done
page_url=$(sed -nE 's/.*event=status_page_ready url=([^ ]+).*/\1/p' "$work/passgated.log" | head -n 1)
echo "== the status page, live while the store day runs: ${page_url:-(not started; see $work/passgated.log)}"

echo "== playing the demo scenario: a store day (rig log below)"
rig_status=0
"$sim" rig --socket "$work/rig.sock" --issuer-key "$work/issuer.pem" --kid "$kid" --issuer "$issuer" \
  --audience "$store" --scenario builtin:demo --tracking-control-port "$control" \
  --gateway-control-port "$gateway_control" \
  --time-scale "$time_scale" --summary-json "$work/rig-summary.json" || rig_status=$?

# Let the outbox drain what the outage queued, then compare both sides' sessions.
for _ in $(seq 100); do
  "$ctl" status --config "$work/passgate.toml" --json >"$work/gate-status.json" 2>/dev/null || true
  grep -q '"outbox":0' "$work/gate-status.json" && break
  sleep 0.1
done
"$ctl" sessions --config "$work/passgate.toml" --all --limit 0 --json >"$work/gate-sessions.json"
"$sim" tracking-ctl --control-port "$control" state >"$work/tracking-state.json"

python3 -B "$root/scripts/demo_summary.py" "$work/rig-summary.json" "$work/tracking-state.json" \
  "$work/gate-status.json" "$work/gate-sessions.json" || rig_status=1

# Money: wait for the last carts to be finalized, fed to the gate and settled, then reconcile.
python3 -B "$root/scripts/demo_reconcile.py" --tracking-control "$control" --gateway-control "$gateway_control" \
  --db "$work/passgate.db" --declined-shopper "$declined_shopper" --rig-summary "$work/rig-summary.json" \
  --card-hold "$hold_minor" --timeout 30 || rig_status=1

kill -TERM "$gated_pid"
wait "$gated_pid" || true
if [ "$rig_status" -ne 0 ]; then
  echo "demo FAILED; passgated log tail:"; tail -n 40 "$work/passgated.log"
  exit 1
fi
echo "== the store day: OK"

# One store, two entrances: its own etcd cluster, simulators and two gate arrays.
python3 -B "$root/scripts/demo_store.py" --build "$build" --dir "$work/store" || { echo "demo FAILED"; exit 1; }
echo "demo OK"
