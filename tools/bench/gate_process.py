"""One passgated for the benchmarks: writes its config, starts it and times how long it takes
to be ready (READY=1 on a NOTIFY_SOCKET created here, as systemd would see it, and its control
socket answering `lanes`), reads its memory and CPU time from /proc, stops it with SIGTERM."""

import json
import os
import re
import select
import signal
import socket
import subprocess
import time
import urllib.request

ISSUER = "https://app.example-retail.com"
STORE = "store-bench"


def gate_config(work, sockets, name, tracking_url, gateway_url, policy="deny", exit_lanes=(), entry_lanes=(1,),
                database=None, payments="", database_keys="", readers=None, tables=""):
    """The config text of gate `name`: `entry_lanes` (lane 1) and `exit_lanes`, the rig socket
    with debounce 0 (a benchmark's beams do not bounce), its database `database` (default
    <work>/<name>.db), metrics on any free loopback port, logs at the shipping default level
    (info) to the log file; `payments` and `database_keys` are more lines for [payments] and
    [database] (e.g. "max_requests_per_second = 0\n"); `readers` maps entry lanes to their card
    reader (terminal_reader); `tables` are more tables at the end (e.g. "[terminal]\n...")."""
    lanes = ""
    for n in entry_lanes:
        lanes += f'[[lanes]]\nnumber = {n}\nkind = "entry"\n'
        if readers and n in readers:
            lanes += f'terminal_reader = "{readers[n]}"\n'
    for n in exit_lanes:
        lanes += f'[[lanes]]\nnumber = {n}\nkind = "exit"\n'
    return f'''store_id = "{STORE}"
gate_id = "gate-{name}"
[tokens]
issuer = "{ISSUER}"
keyset = "{work}/issuer.jwks.json"
{lanes}
[io]
backend = "sim"
[io.sim]
socket = "{sockets}/{name}.rig.sock"
debounce_ms = 0
[tracking]
base_url = "{tracking_url}"
[offline]
policy = "{policy}"
max_admissions_per_hour = 10000
[payments]
gateway_url = "{gateway_url}"
api_key_file = "{work}/gateway.key"
seal_key_file = "{work}/seal.key"
{payments}[database]
path = "{database or f"{work}/{name}.db"}"
{database_keys}[control]
socket = "{sockets}/{name}.control.sock"
[metrics]
listen = "127.0.0.1:0"
[logging]
level = "info"
{tables}'''


def proc_status(pid):
    """VmRSS and VmHWM (KiB) of a running process, VmRSS split into anonymous memory (the
    heap), file mappings (the binary, libraries) and shared memory (SQLite's WAL index), its
    threads, and their context switches (voluntary and not, summed over its threads), from
    /proc/PID/status and /proc/PID/task."""
    def fields(path):
        with open(path) as f:
            return {k: v.split() for k, _, v in (line.partition(":") for line in f)}

    status = fields(f"/proc/{pid}/status")
    switches = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        t = fields(f"/proc/{pid}/task/{task}/status")
        switches += int(t["voluntary_ctxt_switches"][0]) + int(t["nonvoluntary_ctxt_switches"][0])
    return {"vm_rss_kib": int(status["VmRSS"][0]), "vm_hwm_kib": int(status["VmHWM"][0]),
            "rss_anon_kib": int(status["RssAnon"][0]), "rss_file_kib": int(status["RssFile"][0]),
            "rss_shmem_kib": int(status["RssShmem"][0]),
            "threads": int(status["Threads"][0]), "context_switches": switches}


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        after_comm = f.read().rsplit(")", 1)[1].split()
    return (int(after_comm[11]) + int(after_comm[12])) / os.sysconf("SC_CLK_TCK")


def control_request(path, request, timeout=5.0):
    """One request on the gate's control socket; its JSON reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("the control socket closed without a reply")
            reply += chunk
    return json.loads(reply)


class Gate:
    """A running passgated with the config `gate_config()` wrote for `name`."""

    def __init__(self, binary, work, sockets, name, config_text, database=None):
        self.name = name
        self.rig_socket = f"{sockets}/{name}.rig.sock"
        self.control_socket = f"{sockets}/{name}.control.sock"
        self.database = database or f"{work}/{name}.db"
        self.log_path = f"{work}/{name}.log"
        self.config_path = f"{work}/{name}.toml"
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.binary = binary
        self.notify_path = f"{sockets}/{name}.notify"
        self.process = None
        self.notify = None

    def start(self, timeout=30.0):
        """Starts the daemon; returns {"ready_s": time to READY=1 (None if it never came),
        "control_s": time to the control socket answering `lanes`}, from the fork."""
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        env = dict(os.environ, NOTIFY_SOCKET=self.notify_path)
        with open(self.log_path, "ab") as log:
            start = time.monotonic()
            self.process = subprocess.Popen([self.binary, "--config", self.config_path], stdout=log,
                                            stderr=subprocess.STDOUT, env=env)
        ready = control = None
        # READY=1 comes once the loop runs; a daemon without sd_notify never sends it: give
        # up on it a while after the control socket answers.
        while control is None or (ready is None and time.monotonic() - start < control + 2.0):
            if self.process.poll() is not None:
                raise RuntimeError(f"passgated ({self.name}) exited with {self.process.returncode}; see {self.log_path}")
            if control is None and time.monotonic() - start > timeout:
                raise RuntimeError(f"passgated ({self.name}) not ready after {timeout} s; see {self.log_path}")
            if ready is None:
                if select.select([self.notify], [], [], 0.002)[0] and \
                        b"READY=1" in self.notify.recv(4096).split(b"\n"):
                    ready = time.monotonic() - start
            else:
                time.sleep(0.001)
            if control is None and os.path.exists(self.control_socket):
                try:
                    if control_request(self.control_socket, {"cmd": "lanes"}).get("ok"):
                        control = time.monotonic() - start
                except OSError:
                    pass
        return {"ready_s": ready, "control_s": control}

    @property
    def pid(self):
        return self.process.pid

    def metrics_port(self):
        """The port the daemon logged for its metrics listener (listen = "127.0.0.1:0")."""
        with open(self.log_path) as f:
            found = re.search(r"event=metrics_listening address=127\.0\.0\.1 port=([0-9]+)", f.read())
        if not found:
            raise RuntimeError(f"passgated ({self.name}) logged no metrics port; see {self.log_path}")
        return int(found.group(1))

    @staticmethod
    def store_admissions(page):
        """With [store]: its app entries by what their store-wide claims decided, from its metrics
        page (passgate_store_admissions_total by outcome: claimed, replayed, fallback_local, ...)."""
        found = re.findall(r'^passgate_store_admissions_total\{outcome="([a-z_]+)"\} ([0-9]+)$', page, re.M)
        return {outcome: int(n) for outcome, n in found}

    @staticmethod
    def store_claims(page):
        """With [store]: its store-wide claims' count and mean seconds by kind (entry, token,
        shopper), from its metrics page (passgate_store_claim_seconds)."""
        claims = {}
        for part in ("count", "sum"):
            for kind, value in re.findall(rf'^passgate_store_claim_seconds_{part}\{{kind="([a-z]+)"\}} (\S+)$', page,
                                          re.M):
                claims.setdefault(kind, {})[part] = float(value)
        return {kind: {"count": int(c["count"]), "mean_s": c["sum"] / c["count"]}
                for kind, c in claims.items() if c.get("count")}

    def metrics_page(self):
        """The gate's /metrics page."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port()}/metrics", timeout=5) as reply:
            return reply.read().decode()

    def stop(self):
        """SIGTERM; returns the exit code (0: a clean stop)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.notify.close()
        os.unlink(self.notify_path)
        code = self.process.returncode
        self.process = None
        return code
