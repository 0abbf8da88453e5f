"""h. passgated's resident memory over many scans (issue 18: at most 16 MiB after 50,000
scans, and no more than 0.5 MiB growth between 10,000 and 50,000). The tracking engine
simulator on loopback (the fastest path per scan, and not bound by the offline policy's
max_admissions_per_hour as offline admissions would be); VmRSS and VmHWM at ready, after the
first checkpoint's scans and after the second's (10,000 and 50,000; QUICK: 1,000 and 5,000).
The gate's database is on a tmpfs (/dev/shm) where there is one: resident memory does not
depend on how long a commit's fsync takes, and without it 50,000 scans (three commits each)
take some 15 minutes on a 2-core VM instead of a few."""

import os
import shutil
import tempfile

from bench_context import closed_port, section
from gate_process import proc_status

GOAL_RSS_KIB = 16 * 1024
GOAL_GROWTH_KIB = 512


def memory_growth(b, results):
    first, last = b.sizes["memory_scans"]
    tracking = b.simulator("tracking", "tracking-memory")
    shm = tempfile.mkdtemp(prefix="passgate-bench-", dir="/dev/shm") if os.path.isdir("/dev/shm") else None
    database = f"{shm or b.work}/memory.db"
    gate = b.gate("memory", tracking.url, f"http://127.0.0.1:{closed_port()}", database=database)
    try:
        measure(b, gate, first, last, results)
    finally:
        gate.stop()
        tracking.stop()
        if shm:
            shutil.rmtree(shm, ignore_errors=True)
    results["memory_growth"]["database"] = "tmpfs" if shm else "the work directory"


def measure(b, gate, first, last, results):
    gate.start()
    at_ready = proc_status(gate.pid)
    section(f"h. memory: {first:,} scans, then {last - first:,} more (tracking engine on loopback)")
    early = b.scans(gate, first, shoppers="shp_mem_a_")
    after_first = proc_status(gate.pid)
    late = b.scans(gate, last - first, shoppers="shp_mem_b_")
    after_last = proc_status(gate.pid)
    results["memory_growth"] = {
        "checkpoints": [first, last], "at_ready": at_ready, "after_first": after_first, "after_last": after_last,
        "growth_kib": after_last["vm_rss_kib"] - after_first["vm_rss_kib"],
        "scans_first": early, "scans_rest": late,
        "path": "tracking engine simulator on loopback",
        "goal_rss_kib": GOAL_RSS_KIB, "goal_growth_kib": GOAL_GROWTH_KIB}
