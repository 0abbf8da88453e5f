"""The benchmark table: one row per figure, its value next to its floor and, where issue 18
sets one, its goal and whether this run met it, from run.py's results."""


def duration(us):
    return f"{us:.0f} µs" if us < 1000 else f"{us / 1000:.2f} ms"


def latency(s):
    return f"p50 {duration(s['p50_us'])}, p99 {duration(s['p99_us'])}, max {duration(s['max_us'])}"


def loads(averages):
    return "/".join(f"{x:.1f}" for x in averages)


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def ms(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:.1f} ms"


def p50_p99(s):
    return f"p50 {duration(s['p50_us'])}, p99 {duration(s['p99_us'])}"


def goal(text, met):
    return f"{text}: {'met' if met else 'MISSED'}"


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


def drain_rows(r):
    d = r["scan_while_draining"]
    rows = []
    for case in d["draining"].values():
        pace = case["max_requests_per_second"]
        rows.append((f"scan-to-release while {d['queued']:,} queued charges drain "
                     f"(max_requests_per_second {pace}{', unpaced' if pace == 0 else ''})",
                     f"{p50_p99(case['scans'])} over {case['scans']['count']:,} scans; queue "
                     f"{case['queue_at_first_scan']:,} -> {case['queue_at_last_scan']:,}",
                     f"queue idle: {p50_p99(d['idle']['scans'])}",
                     goal(f"p99 {case['p99_ratio_to_idle']:.2f}x idle, <= {d['goal_p99_ratio']}x",
                          case["p99_ratio_to_idle"] <= d["goal_p99_ratio"])))
    return rows


def lanes_rows(r):
    m = r["many_lanes"]
    many, one = m["eight_lanes"], m["one_lane"]
    return [(f"scan-to-release, {many['lanes']} entry lanes at {m['per_minute_each']:g} scans/min each, random phases",
             f"{p50_p99(many)} over {many['count']:,} scans ({many['late_scans']} late)",
             f"1 lane at {m['per_minute_each']:g}/min: {p50_p99(one)} over {one['count']:,}",
             goal(f"p99 {m['p99_ratio']:.2f}x one lane, <= {m['goal_p99_ratio']}x", m["p99_ratio"] <= m["goal_p99_ratio"]))]


def tap_rows(r):
    t = r["tap_to_release"]
    taps, scans = t["taps"], t["floor_scans_same_gate"]
    return [(f"tap-to-release, a card at the lane's simulated reader (polled every {taps['poll_fast_ms']} ms), "
             f"{taps['count']:,} taps", latency(taps),
             f"scan-to-release, same gate: {latency(scans)}", "-")]


def store_rows(r):
    s = r["store_claim"]
    floor = s["floor_verify_commit_claim"]
    rows = []
    for case, label in (("offline", "offline (engine unreachable)"),
                        ("offline_token_claim_only", "offline, anti_passback off (the token's claim only)"),
                        ("tracking_loopback", "tracking engine on loopback")):
        scans, fallbacks = s[case]["scans"], s[case]["admissions"].get("fallback_local", 0)
        claims = ", ".join(f"{kind} {c['count']:,} mean {ms(c['mean_s'])}" for kind, c in s[case]["claims"].items())
        rows.append((f"scan-to-release with the store-wide claim (3-member etcd on loopback), {label}, "
                     f"{scans['count']:,} scans ({fallbacks} admitted unverified; claims: {claims})", latency(scans),
                     "verify + commit + one claim alone: " + latency(floor),
                     goal(f"p99 {s['p99_ratio'][case]:.2f}x the floor, <= {s['goal_p99_ratio']}x",
                          s["p99_ratio"][case] <= s["goal_p99_ratio"])))
    return rows


def year_rows(r, floor):
    y = r["year"]
    g, ret, start, ctl = y["generated"], y["retention"], y["start_to_ready"], y["passgatectl"]
    if not ret["supported"]:
        after = "retention: not in this build (check-config refuses retention_days)"
    elif ret["timed_out"]:
        after = f"with retention: sweep not done after {ret['seconds']:.0f} s, {mib(ret['bytes_after_incremental_vacuum'] / 1024)}"
    else:
        after = (f"with retention (90 d, audit 365 d), after incremental_vacuum: "
                 f"{mib(ret['bytes_after_incremental_vacuum'] / 1024)} (sweep {ret['seconds']:.0f} s)")
    rows = [(f"year database: {g['days']} days x {g['per_day']:,} shoppers ({g['sessions']:,} sessions, "
             f"{g['payment_ops']:,} payment ops)",
             f"{mib(y['bytes_as_generated'] / 1024)} as generated ({g['seconds']:.0f} s to generate)", after, "-"),
            ("passgated start to READY=1 on the year database",
             f"median {ms(start['median_s'])}, max {ms(start['max_s'])} ({start['runs']} starts)",
             f"empty database: median {ms(r['daemon']['start_to_ready']['median_s'])}",
             goal(f"<= {start['goal_s'] * 1000:.0f} ms", start["max_s"] <= start["goal_s"])),
            (f"scan-to-release on the year database, {y['scans'].get('count', 0):,} scans",
             y["scans"]["failed"] if "failed" in y["scans"] else latency(y["scans"]),
             "verify + commit alone: " + latency(floor), "-")]
    for command in ("status", "sessions", "queue"):
        t = ctl[command]
        rows.append((f"passgatectl {command} on the year database (process start included)",
                     f"median {ms(t['median_s'])}, max {ms(t['max_s'])} ({t['runs']} runs"
                     f"{'' if t['exit_codes'] == [0] else ', exit codes ' + str(t['exit_codes'])})",
                     f"passgatectl --version: median {ms(ctl['version']['median_s'])}",
                     goal(f"<= {ctl['goal_s'] * 1000:.0f} ms", t["max_s"] <= ctl["goal_s"])))
    for command, t in ret.get("passgatectl", {}).items():
        rows.append((f"passgatectl {command} after the retention sweep ({ret['rows']['sessions']:,} sessions kept)",
                     f"median {ms(t['median_s'])}, max {ms(t['max_s'])} ({t['runs']} runs"
                     f"{'' if t['exit_codes'] == [0] else ', exit codes ' + str(t['exit_codes'])})",
                     f"passgatectl --version: median {ms(ctl['version']['median_s'])}",
                     goal(f"<= {ctl['goal_s'] * 1000:.0f} ms", t["max_s"] <= ctl["goal_s"])))
    return rows


def memory_rows(r):
    m = r["memory_growth"]
    first, last = m["checkpoints"]
    rss, hwm = m["after_last"]["vm_rss_kib"], m["after_last"]["vm_hwm_kib"]
    return [(f"passgated memory after {last:,} scans ({m['path'].split(' on ')[0]})",
             f"VmRSS {mib(rss)} (VmHWM {mib(hwm)}, heap {mib(m['after_last']['rss_anon_kib'])}); "
             f"after {first:,}: {mib(m['after_first']['vm_rss_kib'])}",
             f"at ready: VmRSS {mib(m['at_ready']['vm_rss_kib'])} (heap {mib(m['at_ready']['rss_anon_kib'])})",
             goal(f"<= {mib(m['goal_rss_kib'])}", rss <= m["goal_rss_kib"]) + "; " +
             goal(f"growth {first // 1000}k-{last // 1000}k {m['growth_kib'] / 1024:+.2f} MiB <= {mib(m['goal_growth_kib'])}",
                  m["growth_kib"] <= m["goal_growth_kib"]))]


def all_rows(r):
    base = [row + ("-",) for row in rows(r)]
    return base + drain_rows(r) + lanes_rows(r) + tap_rows(r) + year_rows(r, r["scan_to_release"]["floor_verify_commit"]) + \
        memory_rows(r) + store_rows(r)


def print_table(r, some_rows=None):
    """The table of every figure, or of `some_rows` only (a run of one section)."""
    table = [("figure", "measured", "floor (same run)", "goal (issues 18, 20)")] + (some_rows or all_rows(r))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    m = r["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_mib']:,} MiB, Linux {m['kernel']} ({m['arch']}), "
          f"databases on {m['database_filesystem']}; load average {loads(m['load_average_at_start'])} at start, "
          f"{loads(m['load_average_at_end'])} at end; {r['run_seconds']:.0f} s"
          + (" (QUICK)" if r["quick"] else ""))
