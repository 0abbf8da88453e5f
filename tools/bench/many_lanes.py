"""f. Many lanes at once (issue 18: eight lanes each scanning 60 shoppers a minute, p99 no more
than 1.2x the one-lane p99). One gate with 8 entry lanes and the tracking engine simulator on
loopback; passgate-bench-lanes drives lane 1 alone at 60 scans a minute, then all 8 lanes at
60 a minute each, every lane starting at its own random phase, so scans interleave."""

from bench_context import closed_port, section

ENTRY_LANES = range(1, 9)
PER_MINUTE = 60


def lanes_run(b, gate, lanes, seconds, shoppers):
    args = [a for lane in lanes for a in ("--lane", lane)]
    return b.run_json("passgate-bench-lanes", "--socket", gate.rig_socket, *b.token_args(), *args,
                      "--per-minute", PER_MINUTE, "--seconds", seconds, "--shopper-prefix", shoppers)


def many_lanes(b, results):
    seconds = b.sizes["lanes_s"]
    tracking = b.simulator("tracking", "tracking-lanes")
    gate = b.gate("lanes", tracking.url, f"http://127.0.0.1:{closed_port()}", entry_lanes=ENTRY_LANES)
    gate.start()
    section(f"f. one entry lane at {PER_MINUTE} scans a minute for {seconds} s (gate of {len(ENTRY_LANES)} entry lanes)")
    one = lanes_run(b, gate, [1], seconds, "shp_lane1_")
    section(f"f. {len(ENTRY_LANES)} entry lanes at {PER_MINUTE} scans a minute each, random phases, for {seconds} s")
    many = lanes_run(b, gate, ENTRY_LANES, seconds, "shp_lanes8_")
    gate.stop()
    tracking.stop()
    results["many_lanes"] = {"one_lane": one, "eight_lanes": many, "per_minute_each": PER_MINUTE,
                             "p99_ratio": many["p99_us"] / one["p99_us"], "goal_p99_ratio": 1.2}
