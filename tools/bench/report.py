"""The benchmark table: one row per figure, its value next to its floor, from run.py's results."""


def duration(us):
    return f"{us:.0f} µs" if us < 1000 else f"{us / 1000:.2f} ms"


def latency(s):
    return f"p50 {duration(s['p50_us'])}, p99 {duration(s['p99_us'])}, max {duration(s['max_us'])}"


def loads(averages):
    return "/".join(f"{x:.1f}" for x in averages)


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def rows(r):
    scans, exits, queue, daemon = r["scan_to_release"], r["exit_release"], r["queue_drain"], r["daemon"]
    floor = scans["floor_verify_commit"]
    n = floor["count"]
    delay = exits["faulted"]["conditions"]["tracking_engine_delay_ms"]
    memory, idle, start = daemon["memory"], daemon["idle"], daemon["start_to_ready"]
    return [
        (f"scan-to-release, offline (engine unreachable), {n:,} scans", latency(scans["offline"]),
         "verify + commit alone: " + latency(floor)),
        (f"scan-to-release, tracking engine on loopback, {n:,} scans", latency(scans["tracking_loopback"]),
         "verify + commit alone: " + latency(floor)),
        (f"exit release, gateway down + engine {delay / 1000:g} s late, {exits['faulted']['count']:,} exits",
         latency(exits["faulted"]), "backends healthy: " + latency(exits["floor_healthy"])),
        (f"queue drain after a {queue['count']:,}-operation outage, {queue['in_flight']} in flight",
         f"{queue['drain_ops_per_s']:,.0f} ops/s ({queue['drain_seconds']:.1f} s), "
         f"{queue['drain_share_of_floor']:.0%} of the floor",
         f"simulator alone: {queue['floor_requests_per_s']:,.0f} requests/s ({queue['floor_seconds']:.1f} s)"),
        (f"paced drain, max_requests_per_second {queue['paced']['rate_set']}, {queue['paced']['count']:,} operations",
         f"{queue['paced']['rate_held']:.2f} requests/s, {queue['paced']['answered_429']} answered 429",
         f"the set rate; simulator limit {queue['paced']['simulator_limit']}/s"),
        ("durable enqueue of one payment operation", latency(queue["enqueue"]), "-"),
        (f"passgated memory after {memory['scans']:,} scans",
         f"VmRSS {mib(memory['after_scans']['vm_rss_kib'])}, VmHWM {mib(memory['after_scans']['vm_hwm_kib'])}",
         f"at ready: VmRSS {mib(memory['at_ready']['vm_rss_kib'])}"),
        (f"passgated CPU while idle for {idle['seconds']:.0f} s",
         f"{idle['cpu_percent_of_one_core']:.3f} % of one core, {idle['context_switches_per_s']:.1f} wakeups/s", "0"),
        (f"passgated start to ready ({start['signal'].split(' ')[0]})",
         f"median {start['median_s'] * 1000:.0f} ms, max {start['max_s'] * 1000:.0f} ms",
         f"process start alone: {start['floor_process_start_median_s'] * 1000:.0f} ms"),
    ]


def print_table(r):
    table = [("figure", "measured", "floor (same run)")] + rows(r)
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    m = r["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_mib']:,} MiB, Linux {m['kernel']} ({m['arch']}), "
          f"databases on {m['database_filesystem']}; load average {loads(m['load_average_at_start'])} at start, "
          f"{loads(m['load_average_at_end'])} at end; {r['run_seconds']:.0f} s"
          + (" (QUICK)" if r["quick"] else ""))
