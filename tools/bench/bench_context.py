"""What every benchmark section shares: `Bench` (the build's binaries, the run's work
directory, the daemons and simulators it started, the sizes of this run), `section` (the
progress line) and `closed_port` (a backend nobody answers on)."""

import json
import socket
import subprocess

from gate_process import ISSUER, STORE, Gate, gate_config
from simulators import Simulator


class Bench:
    def __init__(self, build, work, sockets, sizes):
        self.build = build
        self.work = work
        self.sockets = sockets
        self.sizes = sizes
        self.sim = f"{build}/tools/passgate-sim"
        self.gated = f"{build}/passgated/passgated"
        self.ctl = f"{build}/tools/passgatectl"
        self.running = []  # simulators and gates to stop on the way out

    def tool(self, name):
        return f"{self.build}/tools/{name}"

    def run_json(self, name, *args):
        """Runs a benchmark program (its one-line summary goes to our output); its JSON figures."""
        out = f"{self.work}/{name}.json"
        subprocess.run([self.tool(name), *map(str, args), "--json", out], check=True)
        with open(out) as f:
            return json.load(f)

    def simulator(self, kind, name, *extra):
        sim = Simulator(self.sim, kind, name, self.work, extra)
        self.running.append(sim)
        return sim

    def gateway(self, name, *extra_args):
        return self.simulator("gateway", name, "--api-key-file", f"{self.work}/gateway.key", "--quiet", *extra_args)

    def gate(self, name, tracking_url, gateway_url, **options):
        """A Gate with the config gate_config() writes for these options (not started)."""
        gate = Gate(self.gated, self.work, self.sockets, name,
                    gate_config(self.work, self.sockets, name, tracking_url, gateway_url, **options),
                    database=options.get("database"))
        self.running.append(gate)
        return gate

    def token_args(self):
        """The options every scanning program takes to mint the gate's tokens."""
        return ["--issuer-key", f"{self.work}/issuer.pem", "--kid", "bench", "--issuer", ISSUER, "--audience", STORE]

    def scans(self, gate, count, shoppers="shp_bench_", times=False, extra=()):
        """passgate-bench-scan: `count` scans one after the other on lane 1 of `gate`; with
        `times`, its figures also list each scan as [Unix ms, µs]; `extra`: more of its options."""
        return self.run_json("passgate-bench-scan", "--socket", gate.rig_socket, *self.token_args(),
                             "--count", count, "--shopper-prefix", shoppers, *(["--times"] if times else []), *extra)

    def history(self, database, gate_name, *args):
        """passgate-bench-year-db: a database for gate `gate_name` (see year_db.cpp for `args`)."""
        return self.run_json("passgate-bench-year-db", "--database", database, "--seal-key-file",
                             f"{self.work}/seal.key", "--store-id", STORE, "--gate-id", f"gate-{gate_name}", *args)

    def stop_all(self):
        for p in reversed(self.running):
            p.stop()
        self.running.clear()


def section(title):
    print(f"== {title}", flush=True)


def closed_port():
    """A loopback port nobody listens on: a backend there is unreachable (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
