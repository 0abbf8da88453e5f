#!/usr/bin/python3
"""One store, two entrances (docs/store-coordination.md), as scripts/demo.sh shows it after its
store day; alone: scripts/demo_store.py [--build DIR] [--dir DIR] (the binaries built first, as
demo.sh builds them; --dir keeps the files there, the default is a temporary directory).

Starts a three-member etcd cluster on loopback (members north, south and office: Debian's
etcd-server, TLS with client certificates, tools/bench/etcd_cluster.py), one tracking engine and
one payment gateway simulator shared by the store's arrays (the engine keeps their sessions and
carts apart by gate_id), and two passgated, gate arrays north and south, each with its own rig
socket, database (in its own directory: passgated locks it), control socket and [store] section. Then it is both arrays' rig (the protocol
of docs/interfaces/rig-protocol.md, tokens from `passgate-sim token mint`):

  ann enters at north; the same code scanned at south is denied `replayed`, and her next code
  there `already_inside`; bob enters at south; the etcd leader is killed (SIGKILL); cleo enters
  at north and dan at south at once (admission goes on with two of three members); once both
  arrays owe etcd nothing, cleo's code at south is denied `replayed` still; one person leaves
  through each array's exit. Then both arrays' `passgatectl status --json` must show the same
  store occupancy (4 in, 2 out, 2 inside, 2 arrays), etcd answering, nothing owed, no double use.

Prints each step and a summary; exits 0 only when every answer is the expected one, having
stopped everything it started."""

import argparse
import getpass
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "bench"))

from etcd_cluster import EtcdCluster  # noqa: E402
from gate_process import Gate  # noqa: E402
from simulators import Simulator  # noqa: E402

ISSUER = "https://app.example-retail.com"
STORE = "store-0042"
KID = "store-demo"
ARRAYS = ("north", "south")
LANES = (1, 2, 3)  # entry lanes 1 and 2, exit lane 3 on both arrays
EXIT_LANE = 3
BEAM_HOLD_S = 0.12  # each beam level outlasts the gate's 10 ms debounce
ANSWER_LIMIT_S = 5.0


class Failed(Exception):
    pass


class Rig:
    """One rig connection: sends inputs and scans, keeps the gate's output levels and the
    display texts it sent, in order."""

    def __init__(self, name, path):
        self.name = name
        self.link = socket.socket(socket.AF_UNIX)
        self.link.connect(path)
        self.levels = {}
        self.displays = []  # (lane, text), in the order the gate sent them
        self.errors = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.link.makefile(encoding="utf-8"):
                message = json.loads(line)
                with self.changed:
                    if message["t"] == "out":
                        self.levels[message["line"]] = message["v"]
                    elif message["t"] == "display":
                        self.displays.append((message["lane"], message["text"]))
                    elif message["t"] == "error":
                        self.errors.append(message["msg"])
                    self.changed.notify_all()
        except (OSError, ValueError):  # closed by close(), at the end
            return

    def send(self, message):
        self.link.sendall(json.dumps(message).encode() + b"\n")

    def wait(self, holds, limit=ANSWER_LIMIT_S):
        with self.changed:
            return self.changed.wait_for(holds, timeout=limit)

    def ready(self):
        """Clears the fire alarm and the beams; waits until every barrier is closed."""
        self.send({"t": "in", "line": "fire_alarm", "v": 0})
        for lane in LANES:
            for beam in ("beam_outer", "beam_inner"):
                self.send({"t": "in", "line": f"lane{lane}.{beam}", "v": 0})
        releases = [f"lane{n}.{r}" for n in LANES for r in ("release_in", "release_out")]
        if not self.wait(lambda: all(self.levels.get(r) == 0 for r in releases)):
            raise Failed(f"{self.name}: the barriers did not close after the rig connected")

    def scan(self, lane, token):
        """Scans `token` at entry lane `lane`; the lane's answer ("admit N" or a denial reason)."""
        seen = len(self.displays)
        self.send({"t": "scan", "scanner": f"lane{lane}.entry", "data": token + "\r\n"})

        def answer():
            return next((text for n, text in self.displays[seen:]
                         if n == lane and text != "scanner ok" and not text.startswith("alarm")), None)
        if not self.wait(lambda: answer() is not None):
            raise Failed(f"{self.name} lane {lane}: no answer to a scan within {ANSWER_LIMIT_S} s")
        return answer()

    def walk(self, lane, first, second):
        for beam, level in ((first, 1), (second, 1), (first, 0), (second, 0)):
            self.send({"t": "in", "line": f"lane{lane}.{beam}", "v": level})
            time.sleep(BEAM_HOLD_S)

    def walk_in(self, lane):
        """One person through entry lane `lane`; waits until its barrier closes behind them."""
        self.walk(lane, "beam_outer", "beam_inner")
        if not self.wait(lambda: self.levels.get(f"lane{lane}.release_in") == 0):
            raise Failed(f"{self.name} lane {lane}: the barrier stayed released after the passage")

    def walk_out(self, lane):
        self.walk(lane, "beam_inner", "beam_outer")

    def close(self):
        self.link.close()


def gate_config(work, array, cluster, tracking, gateway):
    """Gate array `array`: entry lanes 1 and 2, exit lane 3 on its own rig socket, its own
    database and control socket (the paths gate_process.Gate expects), the store's etcd."""
    return f"""# Gate array {array} of {STORE}.
store_id = "{STORE}"
gate_id = "{array}"
[tokens]
issuer = "{ISSUER}"
keyset = "issuer.jwks.json"
[[lanes]]
number = 1
kind = "entry"
[[lanes]]
number = 2
kind = "entry"
[[lanes]]
number = 3
kind = "exit"
[io]
backend = "sim"
[io.sim]
socket = "{work}/{array}.rig.sock"
[tracking]
base_url = "{tracking.url}"
[payments]
gateway_url = "{gateway.url}"
api_key_file = "gateway.key"
seal_key_file = "seal.key"
[database]
path = "{work}/{array}/passgate.db"
[control]
socket = "{work}/{array}.control.sock"
[metrics]
listen = "127.0.0.1:0"
[status_page]
listen = "127.0.0.1:0"
{cluster.store_section(array)}"""


class Store:
    """The cluster, the simulators and both gate arrays, started in `work`."""

    def __init__(self, build, work):
        self.build = build
        self.work = work
        self.sim = os.path.join(build, "tools", "passgate-sim")
        self.ctl = os.path.join(build, "tools", "passgatectl")
        self.started = time.monotonic()
        self.running = []  # what to stop, in the order started
        self.gates = {}
        self.rigs = {}
        self.cluster = None

    def say(self, text):
        print(f"   [{time.monotonic() - self.started:5.1f} s] {text}", flush=True)

    def start(self):
        print("== a store with two entrances: gate arrays north and south, one etcd cluster of three members "
              "(north, south, office), TLS with client certificates", flush=True)
        self.cluster = EtcdCluster(self.work)
        self.running.append(self.cluster)
        self.cluster.start()
        print(re.sub(r"(?m)^", "   ", self.cluster.etcdctl("endpoint", "status", "-w", "table").stdout.rstrip()))
        subprocess.run([self.sim, "token", "keygen", "--alg", "es256", "--kid", KID, "--private",
                        os.path.join(self.work, "issuer.pem"), "--jwks", os.path.join(self.work, "issuer.jwks.json")],
                       check=True, capture_output=True)
        old = os.umask(0o077)
        try:
            with open(os.path.join(self.work, "gateway.key"), "w") as f:
                f.write(f"sk_test_store_{os.urandom(12).hex()}\n")
            with open(os.path.join(self.work, "seal.key"), "wb") as f:
                f.write(os.urandom(32))
        finally:
            os.umask(old)
        tracking = Simulator(self.sim, "tracking", "tracking", self.work)
        self.running.append(tracking)
        gateway = Simulator(self.sim, "gateway", "gateway", self.work,
                            ["--api-key-file", os.path.join(self.work, "gateway.key")])
        self.running.append(gateway)
        for array in ARRAYS:
            # One database directory per array: passgated locks it.
            os.makedirs(os.path.join(self.work, array), exist_ok=True)
            gate = Gate(os.path.join(self.build, "passgated", "passgated"), self.work, self.work, array,
                        gate_config(self.work, array, self.cluster, tracking, gateway),
                        database=os.path.join(self.work, array, "passgate.db"))
            checked = subprocess.run([self.ctl, "check-config", "--reach-store", "--as-user", getpass.getuser(),
                                      gate.config_path],
                                     capture_output=True, text=True)
            print(re.sub(r"(?m)^", f"   {array}: ", (checked.stdout + checked.stderr).rstrip()))
            if checked.returncode != 0:
                raise Failed(f"passgatectl check-config --reach-store {array}.toml exited {checked.returncode}")
            self.running.append(gate)
            gate.start()
            self.gates[array] = gate
        self.say("passgated north and south ready")

    def stop(self):
        for rig in self.rigs.values():
            rig.close()
        for p in reversed(self.running):
            p.stop()
        self.running.clear()

    def mint(self, shopper):
        return subprocess.run([self.sim, "token", "mint", "--key", os.path.join(self.work, "issuer.pem"), "--kid", KID,
                               "--issuer", ISSUER, "--audience", STORE, "--subject", shopper],
                              check=True, capture_output=True, text=True).stdout.strip()

    def status(self, array):
        out = subprocess.run([self.ctl, "status", "--config", self.gates[array].config_path, "--json"],
                             capture_output=True, text=True)
        if not out.stdout.strip():
            raise Failed(f"passgatectl status of {array} printed nothing: {out.stderr.strip()}")
        return json.loads(out.stdout)

    @staticmethod
    def poll(what, holds, limit):
        """Asks `holds()` every 0.2 s until it is true; Failed with `what` after `limit` s."""
        give_up = time.monotonic() + limit
        while not holds():
            if time.monotonic() > give_up:
                raise Failed(f"not within {limit} s: {what}")
            time.sleep(0.2)

    def expect(self, array, lane, token, expected, who):
        answer = self.rigs[array].scan(lane, token)
        if answer != expected:
            raise Failed(f"{who} at {array} lane {lane}: the gate answered {answer!r}, expected {expected!r}")

    def enter(self, array, lane, shopper):
        token = self.mint(shopper)
        self.expect(array, lane, token, "admit 1", shopper)
        self.rigs[array].walk_in(lane)
        return token

    def play(self):
        for array in ARRAYS:
            self.rigs[array] = Rig(array, self.gates[array].rig_socket)
            self.rigs[array].ready()
        self.say("both rigs connected, every barrier closed")

        ann = self.enter("north", 1, "shp_ann")
        self.say("ann scans her app's code at north lane 1: admit 1; she walks in")
        self.expect("south", 1, ann, "replayed", "ann's code again")
        if self.rigs["south"].levels.get("lane1.release_in") != 0:
            raise Failed("south lane 1 released its barrier for a replayed code")
        self.say("the same code (a screenshot passed on) at south lane 1: replayed (a token admits once per store)")
        self.expect("south", 2, self.mint("shp_ann"), "already_inside", "ann's next code")
        self.say("ann's next code at south lane 2: already_inside (she is inside through north)")
        self.enter("south", 1, "shp_bob")
        self.say("bob at south lane 1: admit 1; he walks in")

        leader = self.cluster.leader()
        if leader is None:
            raise Failed("the etcd members agree on no leader")
        self.cluster.kill(leader)
        self.say(f"etcd member {leader} (the leader) killed with SIGKILL: two of three members left")
        cleo = self.enter("north", 2, "shp_cleo")
        self.say("cleo at north lane 2: admit 1; she walks in")
        self.enter("south", 2, "shp_dan")
        self.say("dan at south lane 2: admit 1; he walks in (admission goes on)")
        self.poll("the two members left elect a leader", lambda: self.cluster.leader() is not None, 15)
        self.poll("both arrays owe etcd nothing", lambda: all(owes_nothing(self.status(x)["store"]) for x in ARRAYS),
                  30)
        self.say(f"etcd member {self.cluster.leader()} leads now; both arrays owe etcd nothing")
        self.expect("south", 1, cleo, "replayed", "cleo's code again")
        self.say("cleo's code at south lane 1: replayed (the store still agrees)")

        self.rigs["north"].walk_out(EXIT_LANE)
        self.rigs["south"].walk_out(EXIT_LANE)
        self.say("one shopper leaves through north's exit, one through south's")
        expected = {"entered": 4, "exited": 2, "inside": 2, "arrays": 2}
        self.poll("both arrays' status show the store's occupancy " + json.dumps(expected),
                  lambda: all(occupancy_is(self.status(x)["store"], expected) for x in ARRAYS), 40)
        self.say("both arrays' status show the same store occupancy")
        for rig in self.rigs.values():
            if rig.errors:
                raise Failed(f"{rig.name} refused a rig message: {rig.errors[0]}")
        self.summary()

    def summary(self):
        print("== the two-entrance store at the end of the day (passgatectl status --json of each array)")
        print(f"   {'array':6} {'etcd':9} {'owed':>4} {'double uses':>11} {'in':>3} {'out':>3} {'inside':>6} "
              f"{'arrays':>6}  claims at entry (metrics)")
        unverified = 0
        for array in ARRAYS:
            store = self.status(array)["store"]
            if not owes_nothing(store) or store["double_uses_24h"] != 0:
                raise Failed(f"{array}: {json.dumps(store)}")
            o = store["occupancy"]
            claims = self.gates[array].store_admissions()
            unverified += claims.get("fallback_local", 0)
            print(f"   {array:6} {'answers' if store['reachable'] else 'no answer':9} "
                  f"{store['claims_owed'] + store['releases_owed']:>4} {store['double_uses_24h']:>11} "
                  f"{o['entered']:>3} {o['exited']:>3} {o['inside']:>6} {o['arrays']:>6}  "
                  + (", ".join(f"{outcome} {n}" for outcome, n in claims.items() if n) or "none"))
        if unverified:
            print(f"   fallback_local: {unverified} admitted unverified while the members left elected a new leader "
                  f"(no answer within coordination_timeout_ms), claimed once they answered: nothing owed")

    def log_tails(self):
        for array, gate in self.gates.items():
            with open(gate.log_path) as f:
                print(f"passgated {array} log tail:\n" + "".join(f.readlines()[-15:]), end="")


def owes_nothing(store):
    return store["reachable"] and store["claims_owed"] == 0 and store["releases_owed"] == 0


def occupancy_is(store, expected):
    occupancy = store["occupancy"] or {}
    return all(occupancy.get(k) == v for k, v in expected.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build/release", help="the build directory (default build/release)")
    parser.add_argument("--dir", help="keep the files here (default: a temporary directory, removed)")
    args = parser.parse_args()
    for program in ("/usr/bin/etcd", "/usr/bin/etcdctl"):
        if not os.path.exists(program):
            print(f"{program} is missing: scripts/bootstrap.sh installs etcd-server and etcd-client", file=sys.stderr)
            return 1
    work = os.path.abspath(args.dir) if args.dir else tempfile.mkdtemp(prefix="passgate-store.")
    os.makedirs(work, exist_ok=True)
    store = Store(os.path.abspath(args.build), work)
    ok = False
    try:
        store.start()
        store.play()
        ok = True
    except (Failed, RuntimeError, OSError, subprocess.CalledProcessError) as e:
        print(f"two-entrance store FAILED: {e}", flush=True)
        store.log_tails()
    finally:
        store.stop()
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    if ok:
        print("two-entrance store OK")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
