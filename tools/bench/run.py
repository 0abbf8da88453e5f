#!/usr/bin/env python3
"""Passgate's benchmarks, each figure next to its floor, measured in one run on one machine
(tools/bench/run.sh builds the binaries and calls this; docs/development.md explains every figure):

  a. scan-to-release latency through the real passgated (rig `scan` -> `release_in` 1), offline
     (tracking engine unreachable, policy admit) and with the tracking engine simulator on
     loopback; floor: token verification + durable session commit alone, in-process;
  b. exit release latency (rig `beam_inner` 1 at a closed exit lane -> `release_out` 1) while the
     payment gateway is down and the tracking engine answers 2 s late, with payment operations
     queued and passages waiting; floor: the same with both backends healthy;
  c. payment queue drain rate after a 10,000-operation outage; floor: the gateway simulator's
     own capacity for the same requests;
  d. passgated's resident memory after the scans, its CPU use while idle for 60 s, and its time
     from start to READY=1; floor for the start: the process start alone (`passgated --help`);
  e. scan-to-release while 10,000 queued charges drain, at the default pace and unpaced; floor:
     the same scans with the queue idle (drain_scans.py);
  f. eight entry lanes scanned at 60 a minute each; floor: one lane at 60 a minute (many_lanes.py);
  g. a year of a busy store: database size (with retention when the build has it), start to
     READY=1, scan-to-release and passgatectl on it (year_data.py);
  h. resident memory after 10,000 and 50,000 scans (memory_growth.py);
  i. tap-to-release of card entry: a tap at the lane's simulated reader -> `release_in` 1;
     floor: scan-to-release on the same gate (card_taps.py);
  j. scan-to-release with the store-wide claim ([store] on a local three-member etcd cluster);
     floor: token verification + durable session commit + one etcd claim alone (store_claims.py).

Prints a table and writes the figures as JSON."""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from bench_context import Bench, closed_port, section
from card_taps import card_taps
from drain_scans import drain_scans
from gate_process import cpu_seconds, proc_status
from many_lanes import many_lanes
from memory_growth import memory_growth
from report import print_table, store_rows, tap_rows
from store_claims import store_claims
from year_data import year_data

FULL = {"scans": 5000, "exits": 1000, "queue_ops": 10000, "paced_ops": 400, "idle_s": 60, "starts": 5, "shoppers": 20,
        "drain_scans": 2000, "lanes_s": 90, "year_days": 365, "year_scans": 2000, "ctl_runs": 5,
        "memory_scans": (10000, 50000), "sweep_timeout_s": 600, "taps": 1000, "store_scans": 2000}
QUICK = {"scans": 300, "exits": 90, "queue_ops": 1000, "paced_ops": 60, "idle_s": 5, "starts": 2, "shoppers": 10,
         "drain_scans": 300, "lanes_s": 15, "year_days": 10, "year_scans": 300, "ctl_runs": 3,
         "memory_scans": (1000, 5000), "sweep_timeout_s": 60, "taps": 100, "store_scans": 300}
EXIT_LANES = range(2, 17)  # lane 1 is the entry; the exits go round lanes 2-16 (see exit_latency.cpp)
TRACKING_DELAY_MS = 2000
# The drain's max_in_flight: the most [payments] max_in_flight allows (the daemon's default is 4,
# which its default pace of 10 requests/s never fills); passgate-bench-queue says so in its output.
QUEUE_IN_FLIGHT = 32
# The paced drain: max_requests_per_second against a simulator that, like a live account,
# answers 429 above its own limit (set a quarter above the pace).
PACED_RATE = 20
PACED_LIMIT = 25
# --only: a section alone, and its rows of the table.
ONLY = {"taps": (card_taps, tap_rows), "store": (store_claims, store_rows)}


def scan_latency(b, results):
    n = b.sizes["scans"]
    section(f"a. floor: token verification + durable session commit, in-process, {n} times")
    floor = b.run_json("passgate-bench-admission", "--database", f"{b.work}/floor.db", "--count", n)

    section(f"a. scan-to-release, offline (tracking engine unreachable, policy admit), {n} scans")
    down = f"http://127.0.0.1:{closed_port()}"
    gate = b.gate("offline", down, down, policy="admit")
    gate.start()
    offline = b.scans(gate, n)
    offline_memory = proc_status(gate.pid)
    gate.stop()

    section(f"a. scan-to-release, tracking engine simulator on loopback, {n} scans")
    tracking = b.simulator("tracking", "tracking")
    gate = b.gate("online", tracking.url, down)
    start = gate.start()
    at_ready = proc_status(gate.pid)
    online = b.scans(gate, n)
    after_scans = proc_status(gate.pid)

    idle_s = b.sizes["idle_s"]
    section(f"d. idle CPU: {idle_s} s without scans (tracking engine healthy, carts polled every 2 s)")
    cpu0, switches0, t0 = cpu_seconds(gate.pid), after_scans["context_switches"], time.monotonic()
    time.sleep(idle_s)
    cpu1, switches1, wall = cpu_seconds(gate.pid), proc_status(gate.pid)["context_switches"], time.monotonic() - t0
    gate.stop()

    results["scan_to_release"] = {"floor_verify_commit": floor, "offline": offline, "tracking_loopback": online}
    results["daemon"] = {
        "memory": {"at_ready": at_ready, "after_scans": after_scans, "after_offline_scans": offline_memory,
                   "scans": n},
        "idle": {"seconds": wall, "cpu_seconds": cpu1 - cpu0, "cpu_percent_of_one_core": (cpu1 - cpu0) / wall * 100,
                 "context_switches_per_s": (switches1 - switches0) / wall},
        "first_start": start,
    }
    return gate


def start_to_ready(b, results, gate):
    n = b.sizes["starts"]
    section(f"d. start to ready: {n} restarts of the gate above (its database holds the scans' sessions)")
    starts = []
    for _ in range(n):
        starts.append(gate.start())
        gate.stop()
    process_start = []
    for _ in range(n):
        t0 = time.monotonic()
        subprocess.run([b.gated, "--help"], stdout=subprocess.DEVNULL, check=True)
        process_start.append(time.monotonic() - t0)
    ready = [s["ready_s"] for s in starts if s["ready_s"] is not None]
    results["daemon"]["start_to_ready"] = {
        "starts": starts,
        "signal": "READY=1" if len(ready) == n else "control socket answering `lanes` (no READY=1 seen)",
        "median_s": statistics.median(ready if len(ready) == n else [s["control_s"] for s in starts]),
        "max_s": max(ready if len(ready) == n else [s["control_s"] for s in starts]),
        "floor_process_start_median_s": statistics.median(process_start),
    }


def backlog(database):
    """What the gate still owes its backends: payment operations not final, passages and other
    messages waiting for the tracking engine, sessions settled."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return {
            "payment_ops_waiting": db.execute(
                "SELECT COUNT(*) FROM payment_ops WHERE state IN ('pending', 'in_flight')").fetchone()[0],
            "outbox_waiting": db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0],
            "settlements": db.execute("SELECT COUNT(*) FROM settlements").fetchone()[0],
        }


def wait_settled(gate, shoppers, timeout=60):
    """Waits until every admitted shopper's session is settled (cart finalized by the tracking
    simulator, fetched from the carts feed, its payment planned and queued)."""
    deadline = time.monotonic() + timeout
    while backlog(gate.database)["settlements"] < shoppers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"sessions of {gate.name} not settled after {timeout} s; see {gate.log_path}")
        time.sleep(0.2)


def exit_case(b, label, faulted):
    n, shoppers = b.sizes["exits"], b.sizes["shoppers"]
    tracking = b.simulator("tracking", f"tracking-{label}", "--finalize-after-ms", "0")
    gateway = b.gateway(f"gateway-{label}")
    if faulted:
        gateway.fault("unreachable")
    gate = b.gate(label, tracking.url, gateway.url, exit_lanes=EXIT_LANES)
    gate.start()
    b.scans(gate, shoppers, shoppers="shp_exit_")  # shoppers in the store, their carts finalized at once
    wait_settled(gate, shoppers)
    if faulted:
        tracking.fault("slow", TRACKING_DELAY_MS)
    before = backlog(gate.database)
    figures = b.run_json("passgate-bench-exit", "--socket", gate.rig_socket, "--count", n,
                         *[a for lane in EXIT_LANES for a in ("--lane", lane)])
    figures["backlog_before"] = before
    figures["backlog_after"] = backlog(gate.database)
    gate.stop()
    tracking.stop()
    gateway.stop()
    return figures


def exit_latency(b, results):
    n = b.sizes["exits"]
    section(f"b. floor: exit release with both backends healthy, {n} exits over {len(EXIT_LANES)} exit lanes")
    healthy = exit_case(b, "exit-healthy", faulted=False)
    section(f"b. exit release, payment gateway down and tracking engine answering {TRACKING_DELAY_MS} ms late, "
            f"{n} exits")
    faulted = exit_case(b, "exit-faulted", faulted=True)
    faulted["conditions"] = {"gateway": "unreachable", "tracking_engine_delay_ms": TRACKING_DELAY_MS}
    results["exit_release"] = {"faulted": faulted, "floor_healthy": healthy}


def queue_drain(b, results):
    n = b.sizes["queue_ops"]
    section(f"c. payment queue: {n} charges queued during an outage, drained against the gateway simulator")
    gateway = b.gateway("gateway-queue")
    limited = b.gateway("gateway-queue-limited", "--rate-limit", str(PACED_LIMIT))
    results["queue_drain"] = b.run_json("passgate-bench-queue", "--gateway-url", gateway.url, "--api-key-file",
                                        f"{b.work}/gateway.key", "--database", f"{b.work}/queue.db", "--count", n,
                                        "--in-flight", QUEUE_IN_FLIGHT, "--paced-rate", PACED_RATE,
                                        "--paced-count", b.sizes["paced_ops"], "--paced-gateway-url", limited.url)
    results["queue_drain"]["paced"]["simulator_limit"] = PACED_LIMIT
    results["queue_drain"]["paced"]["answered_429"] = limited.ledger()["requests"]["rate_limited"]
    gateway.stop()
    limited.stop()


def machine(work):
    with open("/proc/cpuinfo") as f:
        models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    with open("/proc/meminfo") as f:
        mem_kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    fs = subprocess.run(["findmnt", "-no", "FSTYPE", "-T", work], capture_output=True, text=True).stdout.strip()
    return {"cpu": models[0] if models else platform.machine(), "cores": os.cpu_count(), "memory_mib": mem_kib // 1024,
            "kernel": platform.release(), "arch": platform.machine(), "database_filesystem": fs,
            "load_average_at_start": os.getloadavg()}


def git_revision(root):
    rev = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True).stdout
    return rev.strip() + ("+changes" if dirty.strip() else "")


def prepare_keys(b):
    subprocess.run([b.sim, "token", "keygen", "--alg", "es256", "--kid", "bench", "--private", f"{b.work}/issuer.pem",
                    "--jwks", f"{b.work}/issuer.jwks.json"], check=True, stdout=subprocess.DEVNULL)
    old = os.umask(0o077)
    try:
        with open(f"{b.work}/gateway.key", "w") as f:
            f.write("sk_test_bench\n")
        with open(f"{b.work}/seal.key", "wb") as f:
            f.write(os.urandom(32))
    finally:
        os.umask(old)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True, help="the build directory with the binaries")
    parser.add_argument("--json", required=True, help="where to write the figures")
    parser.add_argument("--quick", action="store_true", help="fewer samples and a 5 s idle: for development")
    parser.add_argument("--keep", action="store_true", help="keep the daemons' logs and databases")
    parser.add_argument("--only", choices=list(ONLY),
                        help="only this section (taps: i, tap-to-release with its floor; store: j, scan-to-release "
                             "with the store-wide claim and its floor), its rows only")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.path.abspath(args.build)
    sizes = QUICK if args.quick else FULL

    # Databases on the build's disk (as /var/lib/passgate would be), sockets in a short /tmp path.
    os.makedirs(f"{build}/bench", exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=f"{build}/bench")
    sockets = tempfile.mkdtemp(prefix="passgate-bench-")
    b = Bench(build, work, sockets, sizes)
    results = {"quick": args.quick, "sizes": sizes, "revision": git_revision(root), "build": build,
               "machine": machine(work)}
    started = time.monotonic()
    ok = False
    try:
        prepare_keys(b)
        if args.only:
            ONLY[args.only][0](b, results)
        else:
            gate = scan_latency(b, results)
            start_to_ready(b, results, gate)
            exit_latency(b, results)
            queue_drain(b, results)
            drain_scans(b, results)
            many_lanes(b, results)
            card_taps(b, results)
            year_data(b, results)
            memory_growth(b, results)
            store_claims(b, results)
        ok = True
    finally:
        b.stop_all()
        shutil.rmtree(sockets, ignore_errors=True)
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"bench: {'done' if ok else 'failed'}; logs and databases kept in {work}", file=sys.stderr)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["run_seconds"] = time.monotonic() - started
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    print_table(results, ONLY[args.only][1](results) if args.only else None)
    print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
