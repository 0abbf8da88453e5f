"""A store's etcd cluster on loopback, for the two-entrance demo (scripts/demo_store.py) and the
benchmarks (run.py, section j): Debian's etcd-server members, TLS everywhere (client and peer
traffic, client certificates required) as docs/store-coordination.md sets a store up, with the
PKI made there the same way with the openssl CLI: a store CA, one member certificate per member
for 127.0.0.1 (server and client use: etcd's JSON gateway connects to its own member with it),
one client certificate per gate array. Members get free ports, are ready once they print
"serving client traffic securely", and run under setpriv --pdeathsig KILL, so they end with
the process that started them whatever happens to it."""

import json
import os
import signal
import socket
import subprocess
import time

ETCD = "/usr/bin/etcd"
ETCDCTL = "/usr/bin/etcdctl"


def _openssl(directory, *args):
    subprocess.run(["openssl", *args], cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class EtcdCluster:
    """Members `names` (e.g. north, south, office) with their files in `directory`."""

    def __init__(self, directory, names=("north", "south", "office"), arrays=("north", "south"), store="store-0042"):
        self.dir = directory
        self.pki = os.path.join(directory, "pki")
        self.names = list(names)
        self.arrays = list(arrays)
        self.members = {}  # name -> Popen, while it runs
        os.makedirs(self.pki, exist_ok=True)
        old = os.umask(0o077)  # private keys readable by their owner only
        try:
            _openssl(self.pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-days", "2", "-subj", f"/CN={store}-ca", "-keyout", "ca.key", "-out", "ca.pem")
            for name in self.names:
                self._issue(f"{name}-member", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth")
            for array in arrays:
                self._issue(array, "extendedKeyUsage=clientAuth")
        finally:
            os.umask(old)
        held = [socket.socket() for _ in range(2 * len(self.names))]
        for s in held:
            s.bind(("127.0.0.1", 0))
        ports = [s.getsockname()[1] for s in held]
        for s in held:
            s.close()
        self.client_urls = {n: f"https://127.0.0.1:{ports[2 * i]}" for i, n in enumerate(self.names)}
        self.peer_urls = {n: f"https://127.0.0.1:{ports[2 * i + 1]}" for i, n in enumerate(self.names)}
        self.store = store

    def _issue(self, stem, extensions):
        with open(os.path.join(self.pki, f"{stem}.ext"), "w") as f:
            f.write(extensions + "\n")
        _openssl(self.pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                 f"/CN={stem}", "-keyout", f"{stem}.key", "-out", f"{stem}.csr")
        _openssl(self.pki, "x509", "-req", "-days", "2", "-in", f"{stem}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-extfile", f"{stem}.ext", "-out", f"{stem}.pem")

    def start(self, timeout=30.0):
        """Starts every member; returns once each serves clients (a leader is elected)."""
        initial = ",".join(f"{n}={self.peer_urls[n]}" for n in self.names)
        ca = os.path.join(self.pki, "ca.pem")
        for name in self.names:
            cert, key = (os.path.join(self.pki, f"{name}-member.{x}") for x in ("pem", "key"))
            with open(self.log_path(name), "wb") as log:
                self.members[name] = subprocess.Popen(
                    ["setpriv", "--pdeathsig", "KILL", ETCD, "--name", name,
                     "--data-dir", os.path.join(self.dir, f"etcd-{name}"),
                     "--listen-peer-urls", self.peer_urls[name], "--initial-advertise-peer-urls", self.peer_urls[name],
                     "--listen-client-urls", self.client_urls[name],
                     "--advertise-client-urls", self.client_urls[name],
                     "--initial-cluster", initial, "--initial-cluster-state", "new",
                     "--initial-cluster-token", f"{self.store}-{os.path.basename(self.dir)}",
                     # Elections in about a second, yet no false ones on a loaded machine.
                     "--heartbeat-interval", "100", "--election-timeout", "1000",
                     "--logger", "zap", "--log-outputs", "stderr",
                     "--cert-file", cert, "--key-file", key, "--trusted-ca-file", ca, "--client-cert-auth",
                     "--peer-cert-file", cert, "--peer-key-file", key, "--peer-trusted-ca-file", ca,
                     "--peer-client-cert-auth"],
                    stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        for name in self.names:
            while b"serving client traffic securely" not in open(self.log_path(name), "rb").read():
                if self.members[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"etcd member {name} did not start serving; see {self.log_path(name)}")
                time.sleep(0.05)

    def log_path(self, name):
        return os.path.join(self.dir, f"etcd-{name}.log")

    def endpoints(self):
        return [self.client_urls[n] for n in self.names]

    def client_files(self, array):
        """The store CA, and gate array `array`'s client certificate and key."""
        return {"ca_file": os.path.join(self.pki, "ca.pem"), "cert_file": os.path.join(self.pki, f"{array}.pem"),
                "key_file": os.path.join(self.pki, f"{array}.key")}

    def store_section(self, array, extra=""):
        """The [store] table of gate array `array` (`extra`: more keys)."""
        files = self.client_files(array)
        return ("[store]\nendpoints = [" + ", ".join(f'"{e}"' for e in self.endpoints()) + "]\n" +
                "".join(f'{k} = "{v}"\n' for k, v in files.items()) + extra)

    def etcdctl(self, *args, names=None):
        """etcdctl (v3 API) against members `names` (default: the running ones), with the first
        gate array's client certificate; its completed process."""
        files = self.client_files(self.arrays[0])
        endpoints = ",".join(self.client_urls[n] for n in (names or self.running()))
        return subprocess.run([ETCDCTL, "--endpoints", endpoints, "--cacert", files["ca_file"], "--cert",
                               files["cert_file"], "--key", files["key_file"], *args],
                              env=dict(os.environ, ETCDCTL_API="3"), capture_output=True, text=True)

    def running(self):
        return [n for n in self.names if n in self.members]

    def leader(self):
        """The running member every running member names as leader; None if they do not agree."""
        out = self.etcdctl("endpoint", "status", "-w", "json")
        statuses = json.loads(out.stdout or "[]")
        leaders = {s["Status"]["leader"] for s in statuses}
        if len(statuses) != len(self.running()) or len(leaders) != 1 or 0 in leaders:
            return None
        by_endpoint = {url: n for n, url in self.client_urls.items()}
        return next((by_endpoint[s["Endpoint"]] for s in statuses
                     if s["Status"]["header"]["member_id"] == s["Status"]["leader"]), None)

    def kill(self, name):
        """SIGKILL to member `name`, reaped."""
        member = self.members.pop(name)
        member.send_signal(signal.SIGKILL)
        member.wait()

    def stop(self):
        for name in list(self.members):
            member = self.members.pop(name)
            member.send_signal(signal.SIGTERM)
            try:
                member.wait(timeout=10)
            except subprocess.TimeoutExpired:
                member.kill()
                member.wait()
