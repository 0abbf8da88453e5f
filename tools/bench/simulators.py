"""The simulators the benchmarks run against (`passgate-sim tracking` and `passgate-sim gateway`
on loopback): start one, learn its ports, switch its faults over its control port, stop it."""

import json
import os
import signal
import subprocess
import time
import urllib.request


class Simulator:
    """One `passgate-sim <kind>` process on any free ports, its output in `<work>/<name>.log`."""

    def __init__(self, sim_binary, kind, name, work, extra_args=()):
        self.name = name
        port_file = os.path.join(work, name + ".ports")
        self.log_path = os.path.join(work, name + ".log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sim_binary, kind, "--port", "0", "--control-port", "0", "--port-file", port_file, *extra_args],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not (os.path.exists(port_file) and os.path.getsize(port_file) > 0):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} simulator did not start; see {self.log_path}")
            time.sleep(0.02)
        with open(port_file) as f:
            ports = json.load(f)
        self.port = ports["port"]
        self.control_port = ports["control_port"]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def fault(self, mode, delay_ms=0):
        """POST /control/fault: none, unreachable, slow (answers delay_ms late), ..."""
        body = {"mode": mode}
        if delay_ms:
            body["delay_ms"] = delay_ms
        request = urllib.request.Request(f"http://127.0.0.1:{self.control_port}/control/fault",
                                         data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()

    def ledger(self):
        """GET /control/ledger (the gateway simulator): its intents and request counts."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.control_port}/control/ledger", timeout=10) as reply:
            return json.loads(reply.read())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
