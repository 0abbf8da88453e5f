#!/usr/bin/python3
"""The status page's weight and update latency, in headless Chromium against a real passgated
(not a test: timing figures live here, docs/status-page.md quotes them).
  /usr/bin/python3 -B tools/bench/status_page_latency.py [--build DIR] [--changes N] [--json FILE]
Starts passgated as the other benchmarks do (gate_process.py: sim rig, entry lanes 1 and 2 and
exit lane 3, backends on a closed port, [status_page] on a free loopback port), opens the page in the browser of the status
page's tests (tests/status_page/page_driver.py), then:
  weight:  bytes transferred on first load (the HTML, CSS and JavaScript with their headers,
           from the browser's resource timing, plus the snapshots' events until the page is drawn);
  latency: N changes (lane 1's outer beam blocked, then clear, sent on the rig socket), each
           from the daemon noticing it (the snapshot's changed_at_ms) to the page's DOM drawn
           (Date.now() after render), p50/p99/max.
Prints the figures and writes them as JSON. Needs the binaries built (--build, default
build/release) and Debian's chromium, chromium-driver and python3-selenium."""

import argparse
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "status_page"))

from gate_process import Gate, gate_config  # noqa: E402
from hostile_peers import write_keys  # noqa: E402
from bench_context import closed_port  # noqa: E402
from page_driver import start_browser  # noqa: E402


def page_url(gate):
    with open(gate.log_path) as f:
        found = re.search(r"event=status_page_ready url=(http://127\.0\.0\.1:[0-9]+/)", f.read())
    if not found:
        raise SystemExit(f"passgated logged no status page address; see {gate.log_path}")
    return found.group(1)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def wait_for(driver, js, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not driver.execute_script("return " + js):
        if time.monotonic() > deadline:
            raise SystemExit("the page did not show: " + js)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build/release")
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--json", default="build/bench/status_page.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="passgate-status-bench.") as work:
        write_keys(work)
        unreachable = f"http://127.0.0.1:{closed_port()}"
        config = gate_config(work, work, "page", unreachable, unreachable, entry_lanes=(1, 2), exit_lanes=(3,),
                             tables='[status_page]\nlisten = "127.0.0.1:0"\n')
        gate = Gate(os.path.join(args.build, "passgated", "passgated"), work, work, "page", config)
        gate.start()
        driver = None
        rig = socket.socket(socket.AF_UNIX)
        try:
            rig.connect(gate.rig_socket)
            rig.sendall(b'{"t":"in","line":"fire_alarm","v":0}\n')
            driver = start_browser(os.path.join(work, "chromium"))
            driver.get(page_url(gate))
            wait_for(driver, "window.passgateSnapshots > 0 && document.getElementById('lane-1') !== null "
                             "&& document.getElementById('fire').hidden")
            weight = driver.execute_script("""
                const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
                return {files: entries.filter((e) => !e.name.endsWith('/events'))
                                      .map((e) => ({name: e.name.replace(/^.*\\//, '/'), transfer: e.transferSize,
                                                    body: e.encodedBodySize})),
                        first_event: window.passgateEventBytes};""")
            files_bytes = sum(f["transfer"] for f in weight["files"])
            latencies = []
            for i in range(args.changes):
                blocked = i % 2 == 0
                rig.sendall(json.dumps({"t": "in", "line": "lane1.beam_outer", "v": 1 if blocked else 0}).encode() + b"\n")
                wait_for(driver, "document.querySelector('#lane-1 .beams').textContent.includes('outer beam %s')"
                         % ("blocked" if blocked else "clear"))
                # The snapshot that drew it is the newest one (the periodic ones carry no change).
                latencies.append(driver.execute_script("return window.passgateLatencies.at(-1);"))
        finally:
            if driver is not None:
                driver.quit()
            rig.close()
            gate.stop()
    figures = {
        "first_load_bytes": files_bytes + weight["first_event"],
        "files": weight["files"],
        "first_event_bytes": weight["first_event"],
        "changes": args.changes,
        "latency_ms": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99), "max": max(latencies),
                       "mean": round(statistics.mean(latencies), 1)},
    }
    print(f"status page: first load {figures['first_load_bytes']} bytes "
          f"({files_bytes} for the files, {weight['first_event']} for the first snapshot); "
          f"change to DOM over {len(latencies)} changes: p50 {figures['latency_ms']['p50']} ms, "
          f"p99 {figures['latency_ms']['p99']} ms, max {figures['latency_ms']['max']} ms")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(figures, f, indent=2)


if __name__ == "__main__":
    main()
