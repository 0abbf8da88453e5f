"""e. Scan-to-release while the payment queue drains (issue 18: p99 within 1.2x its idle value
in the same run). The drain and the lanes share one event loop and one database: a gate starts
on a database holding 10,000 charges waiting in the queue (passgate-bench-year-db --pending,
sealed with the gate's key), the gateway simulator answering, so the drain begins at ready;
scans run on the entry lane at once, each with its wall time, while a thread here polls the
queue's length every 100 ms. Only the scans made before the queue was empty count. The idle
case is the same gate on a database of the same size whose payments were all made."""

import sqlite3
import threading
import time

from bench_context import section
from stats import latency_of

DRAIN_PACES = (("default pace (max_requests_per_second 10)", 10), ("unpaced (max_requests_per_second 0)", 0))


def waiting_ops(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return db.execute("SELECT COUNT(*) FROM payment_ops WHERE state IN ('pending', 'in_flight')").fetchone()[0]


class QueuePoller(threading.Thread):
    """Polls the queue's length every 100 ms until stopped: [(Unix ms, waiting)]."""

    def __init__(self, database):
        super().__init__(daemon=True)
        self.database = database
        self.polls = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.polls.append((time.time() * 1000, waiting_ops(self.database)))
            self.done.wait(0.1)

    def stop(self):
        self.done.set()
        self.join()
        return self.polls


def waiting_at(polls, at_ms):
    """The queue's length at the last poll before `at_ms` (the first poll's if none)."""
    before = [w for t, w in polls if t <= at_ms]
    return before[-1] if before else polls[0][1]


def scan_case(b, tracking, gateway, name, history_args, payments="", drained=True):
    n = b.sizes["drain_scans"]
    database = f"{b.work}/{name}.db"
    made = b.history(database, name, *history_args)
    gate = b.gate(name, tracking.url, gateway.url, database=database, payments=payments)
    poller = QueuePoller(database)
    poller.start()
    gate.start()
    scans = b.scans(gate, n, shoppers=f"shp_{name}_", times=True)
    polls = poller.stop()
    gate.stop()
    samples = scans.pop("samples")
    empty_at = next((t for t, w in polls if w == 0), None)
    during = [us for at, us in samples if empty_at is None or at < empty_at] if drained else [us for _, us in samples]
    figures = {"database": {"sessions": made["sessions"], "pending": made["pending"]},
               "all_scans": scans, "scans": latency_of(during),
               "queue_at_first_scan": waiting_at(polls, samples[0][0]),
               "queue_at_last_scan": waiting_at(polls, samples[-1][0]),
               "queue_emptied_during_scans": empty_at is not None and empty_at < samples[-1][0]}
    figures["drained_during_scans"] = figures["queue_at_first_scan"] - figures["queue_at_last_scan"]
    return figures


def drain_scans(b, results):
    n, ops = b.sizes["drain_scans"], b.sizes["queue_ops"]
    tracking = b.simulator("tracking", "tracking-drain")
    gateway = b.gateway("gateway-drain")
    days = max(1, ops // 2000)
    section(f"e. scan-to-release with the payment queue idle: {n} scans (database of {days} store days, all paid)")
    idle = scan_case(b, tracking, gateway, "drain-idle", ["--days", days, "--inside", 0], drained=False)
    cases = {}
    for label, pace in DRAIN_PACES:
        section(f"e. scan-to-release while {ops:,} queued charges drain, {label}: {n} scans")
        case = scan_case(b, tracking, gateway, f"drain-{pace}", ["--days", 0, "--inside", 0, "--pending", ops],
                         payments=f"max_requests_per_second = {pace}\n")
        case["max_requests_per_second"] = pace
        case["p99_ratio_to_idle"] = case["scans"]["p99_us"] / idle["scans"]["p99_us"]
        cases[str(pace)] = case
    results["scan_while_draining"] = {"queued": ops, "idle": idle, "draining": cases, "goal_p99_ratio": 1.2}
    tracking.stop()
    gateway.stop()
