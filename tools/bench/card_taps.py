"""i. Card entry (issue 19): tap-to-release. One gate with entry lane 1 and its card reader, the
tracking engine simulator and the payment gateway simulator on loopback (the gateway simulator
also plays the terminal API and the reader). passgate-bench-tap has each shopper step into the
outer beam (the gate then reads the reader every poll_fast_ms, 250 ms: the contract's
fastest), stand there 250-500 ms, tap a card at the simulated reader and walk in once the
barrier is released; the figure runs from the tap to release_in 1. Anti-passback is soft
(checked, logged, not refused), so the simulator's seven approving test cards can come round
again while their earlier sessions are still open. Floor: scan-to-release on the same gate,
the same number of app shoppers right after the taps."""

from bench_context import section

READER = "tmr_bench1"
POLL_FAST_MS = 250
DWELL_MS = (250, 500)


def card_taps(b, results):
    n = b.sizes["taps"]
    tracking = b.simulator("tracking", "tracking-taps")
    gateway = b.gateway("gateway-taps", "--reader", READER)
    gate = b.gate("taps", tracking.url, gateway.url, readers={1: READER},
                  tables=f'[entry]\nanti_passback = "soft"\n[terminal]\npoll_fast_ms = {POLL_FAST_MS}\n')
    gate.start()
    section(f"i. tap-to-release, a card at lane 1's simulated reader (polled every {POLL_FAST_MS} ms while someone "
            f"is at it), {n} taps")
    taps = b.run_json("passgate-bench-tap", "--socket", gate.rig_socket, "--gateway-control-port",
                      gateway.control_port, "--reader", READER, "--count", n, "--dwell-min-ms", DWELL_MS[0],
                      "--dwell-max-ms", DWELL_MS[1])
    section(f"i. floor: scan-to-release on the same gate, {n} scans")
    scans = b.scans(gate, n, shoppers="shp_taps_")
    card_present = gateway.ledger().get("card_present", {})
    gate.stop()
    tracking.stop()
    gateway.stop()
    taps["poll_fast_ms"] = POLL_FAST_MS
    taps["holds"] = {k: card_present.get(k, 0) for k in ("intents", "open_holds", "captured", "voided", "abandoned")}
    results["tap_to_release"] = {"taps": taps, "floor_scans_same_gate": scans}
