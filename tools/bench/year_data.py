"""g. A year of a busy store (issue 18): passgate-bench-year-db writes 365 days of 2,000
shoppers a day through the real stores (sessions, passages, carts, payment operations,
declines and quarantined carts written off by operators, the used-token purge), then on that
database: its size, start to READY=1, scan-to-release, and the wall time of `passgatectl
status`, `sessions` and `queue` (process start included; `passgatectl --version` is the
floor). If the built passgated takes `[database] retention_days` (checked with `passgatectl
check-config`), the gate then runs with retention until its sweep stops deleting, and the size
is taken again after `PRAGMA incremental_vacuum`."""

import os
import sqlite3
import subprocess
import time

from bench_context import section
from stats import spread

RETENTION_KEYS = "retention_days = 90\naudit_retention_days = 365\n"
DAY_MS = 24 * 3600 * 1000
GOAL_READY_S = 0.100
GOAL_CTL_S = 0.050
# Today a year's database makes passgated slow by orders of magnitude (minutes to start,
# requests that block its loop); these bounds keep the section finite: repeats stop once a
# figure has taken this long in all, a start or a request may take this long.
REPEAT_BUDGET_S = 30
SLOW_LIMIT_S = 900
TABLES = ("sessions", "used_tokens", "outbox", "payment_ops", "carts", "settlements", "quarantined_carts", "audit_log")


def row_counts(database):
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def older_rows(database, now_ms):
    """Rows past the retention the issue sets (sessions 90 days, audit entries 365)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        return {"sessions": db.execute("SELECT COUNT(*) FROM sessions WHERE created_at_ms < ?",
                                       (now_ms - 90 * DAY_MS,)).fetchone()[0],
                "audit_log": db.execute("SELECT COUNT(*) FROM audit_log WHERE at_ms < ?",
                                        (now_ms - 365 * DAY_MS,)).fetchone()[0]}


def file_size(database):
    """Bytes of the database with its WAL and shared-memory files (the gate's whole footprint)."""
    return sum(os.path.getsize(p) for p in (database, database + "-wal", database + "-shm") if os.path.exists(p))


def timed(command, runs):
    """Wall times (s) of up to `runs` runs of `command` (fewer once they took REPEAT_BUDGET_S in
    all), the process start included; its exit codes."""
    times, codes = [], set()
    while len(times) < runs and sum(times) < REPEAT_BUDGET_S:
        t0 = time.monotonic()
        codes.add(subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode)
        times.append(time.monotonic() - t0)
    return dict(spread(times), exit_codes=sorted(codes))


def takes_retention(b, gate):
    """Whether this build's config loader takes the retention keys: `passgatectl check-config`
    accepts the gate's config and rejects it only once the keys are added."""
    with open(gate.config_path) as f:
        text = f.read()
    probe = f"{b.work}/retention-probe.toml"
    with open(probe, "w") as f:
        f.write(text.replace("[database]\n", "[database]\n" + RETENTION_KEYS, 1))
    check = [b.ctl, "check-config"]
    plain = subprocess.run(check + [gate.config_path], capture_output=True, text=True)
    keyed = subprocess.run(check + [probe], capture_output=True, text=True)
    if plain.returncode != 0:
        raise RuntimeError(f"passgatectl check-config refuses the bench's own config: {plain.stdout}{plain.stderr}")
    return keyed.returncode == 0, (keyed.stdout + keyed.stderr).strip()


def sweep(b, tracking, gateway, database, timeout_s):
    """Runs the gate with retention until the rows past retention stop shrinking for 5 s."""
    gate = b.gate("year", tracking.url, gateway.url, database=database, database_keys=RETENTION_KEYS)
    t0 = time.monotonic()
    gate.start(timeout=SLOW_LIMIT_S)
    now_ms = time.time() * 1000
    polls, last_change = [], time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        polls.append(older_rows(database, now_ms))
        if len(polls) > 1 and polls[-1] != polls[-2]:
            last_change = time.monotonic()
        if sum(polls[-1].values()) == 0 or time.monotonic() - last_change > 5:
            break
        time.sleep(1)
    seconds = time.monotonic() - t0
    gate.stop()
    with sqlite3.connect(database, timeout=30) as db:
        auto_vacuum = db.execute("PRAGMA auto_vacuum").fetchone()[0]
        # executescript runs it to the end (execute() frees one page: 560 MB were left free)
        db.executescript("PRAGMA incremental_vacuum;")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        free_pages = db.execute("PRAGMA freelist_count").fetchone()[0]
    return {"seconds": seconds, "timed_out": seconds >= timeout_s, "older_rows_left": polls[-1],
            "auto_vacuum": {0: "none", 1: "full", 2: "incremental"}.get(auto_vacuum, auto_vacuum),
            "bytes_after_incremental_vacuum": file_size(database), "free_bytes_left": free_pages * page_size,
            "rows": row_counts(database)}


def year_data(b, results):
    days, per_day = b.sizes["year_days"], 2000
    database = f"{b.work}/year.db"
    section(f"g. a busy store's history: {days} days of {per_day:,} shoppers, written by the real stores")
    made = b.history(database, "year", "--days", days, "--per-day", per_day)
    figures = {"generated": made, "rows": row_counts(database), "bytes_as_generated": file_size(database)}
    tracking = b.simulator("tracking", "tracking-year")
    gateway = b.gateway("gateway-year")
    gate = b.gate("year", tracking.url, gateway.url, database=database)

    n = b.sizes["starts"]
    section(f"g. start to ready on it: up to {n} starts ({REPEAT_BUDGET_S} s in all)")
    starts, ready = [], []
    while len(starts) < n and sum(ready) < REPEAT_BUDGET_S:
        starts.append(gate.start(timeout=SLOW_LIMIT_S))
        ready.append(starts[-1]["ready_s"] if starts[-1]["ready_s"] is not None else starts[-1]["control_s"])
        gate.stop()
    figures["start_to_ready"] = dict(spread(ready), starts=starts, goal_s=GOAL_READY_S)

    scans = b.sizes["year_scans"]
    runs = b.sizes["ctl_runs"]
    section(f"g. {scans} scans on it (at most {REPEAT_BUDGET_S * 2} s), then passgatectl status, sessions and queue, "
            f"{runs} times each")
    gate.start(timeout=SLOW_LIMIT_S)
    try:
        figures["scans"] = b.scans(gate, scans, shoppers="shp_year_", extra=["--max-seconds", REPEAT_BUDGET_S * 2,
                                                                                 "--deadline-ms", 300_000])
    except subprocess.CalledProcessError:
        figures["scans"] = {"failed": "the gate did not release within 300 s (see the output above)"}
    ctl = [b.ctl, "-c", gate.config_path, "--timeout", str(SLOW_LIMIT_S)]
    figures["passgatectl"] = {"version": timed([b.ctl, "--version"], runs), "goal_s": GOAL_CTL_S,
                              **{c: timed(ctl + [c], runs) for c in ("status", "sessions", "queue")}}
    gate.stop()

    supported, answer = takes_retention(b, gate)
    figures["retention"] = {"supported": supported, "keys": RETENTION_KEYS.strip().split("\n")}
    if supported:
        section("g. retention: the gate runs with retention_days = 90 until its sweep is done")
        figures["retention"].update(sweep(b, tracking, gateway, database, b.sizes["sweep_timeout_s"]))
        # The same commands on what a gate keeps with the default retention: the database a
        # store has after its first 90 days, from then on.
        section(f"g. passgatectl status, sessions and queue after the sweep, {runs} times each")
        gate = b.gate("year", tracking.url, gateway.url, database=database, database_keys=RETENTION_KEYS)
        gate.start(timeout=SLOW_LIMIT_S)
        ctl = [b.ctl, "-c", gate.config_path, "--timeout", str(SLOW_LIMIT_S)]
        figures["retention"]["passgatectl"] = {c: timed(ctl + [c], runs) for c in ("status", "sessions", "queue")}
        gate.stop()
    else:
        figures["retention"]["check_config_said"] = answer
    tracking.stop()
    gateway.stop()
    results["year"] = figures
