"""Hostile local peers against one passgated: how long an operator and a health check wait.
  python3 -B tools/bench/hostile_peers.py --passgated BIN --passgatectl BIN
Starts passgated as the other benchmarks do (gate_process.py: sim rig, metrics on a free
loopback port; the backends on a port that refuses connections), then measures:
  control: with 16 connections each holding half a request, `passgatectl status` (exit code
           and wall time; an old gate refused it at once with "Broken pipe")
  metrics: with 500 idle and 8 slowloris connections held, GET /healthz (status and time;
           an old gate closed it unanswered)
Each figure is printed as one line; nothing is asserted (tests/metrics and tests/passgatectl
hold the bounds)."""

import argparse
import base64
import json
import os
import socket
import subprocess
import tempfile
import time

from cryptography.hazmat.primitives.asymmetric import ec

from gate_process import Gate, gate_config


def b64(n):
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def write_keys(work):
    """The files gate_config() names: an issuer key set (one P-256 key), the gateway API key
    and the payment sealing key."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "kid": "key-a", "alg": "ES256", "use": "sig", "x": b64(key.x), "y": b64(key.y)}
    with open(os.path.join(work, "issuer.jwks.json"), "w") as f:
        json.dump({"keys": [jwk]}, f)
    for name, content in (("gateway.key", "sk_test_gate\n"), ("seal.key", "s" * 32)):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, 0o600)


def control_figure(passgatectl, socket_path):
    held = []
    for _ in range(16):
        s = socket.socket(socket.AF_UNIX)
        s.connect(socket_path)
        s.sendall(b'{"cmd":"lan')
        held.append(s)
    time.sleep(0.2)  # let the gate take them all in
    started = time.monotonic()
    run = subprocess.run([passgatectl, "status", "--json", "--socket", socket_path],
                         capture_output=True, text=True, timeout=120)
    took = time.monotonic() - started
    said = (run.stdout + run.stderr).strip().splitlines()
    print(f"control: passgatectl status under 16 half-line clients: exit {run.returncode} after {took * 1000:.0f} ms"
          f" ({said[-1][:100] if said else ''})")
    for s in held:
        s.close()


def metrics_figure(port):
    held = []
    for _ in range(500):
        held.append(socket.create_connection(("127.0.0.1", port)))
    for _ in range(8):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        held.append(s)
    time.sleep(0.5)  # let the gate take them all in
    started = time.monotonic()
    answer = b""
    try:
        probe = socket.create_connection(("127.0.0.1", port), timeout=30)
        probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        while b"\r\n\r\n" not in answer:
            chunk = probe.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError as e:
        answer = answer or f"({e})".encode()
    took = time.monotonic() - started
    first = answer.split(b"\r\n")[0].decode(errors="replace") or "(closed without an answer)"
    print(f"metrics: GET /healthz under 500 idle + 8 slowloris connections: {first} after {took * 1000:.1f} ms")
    for s in held:
        s.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--passgated", required=True)
    parser.add_argument("--passgatectl", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        write_keys(work)
        refused = socket.socket()
        refused.bind(("127.0.0.1", 0))  # bound, never listening: the backends refuse every connection
        backend = f"http://127.0.0.1:{refused.getsockname()[1]}"
        gate = Gate(args.passgated, work, work, "hostile", gate_config(work, work, "hostile", backend, backend))
        gate.start()
        try:
            control_figure(args.passgatectl, gate.control_socket)
            metrics_figure(gate.metrics_port())
        finally:
            gate.stop()
            refused.close()

if __name__ == "__main__":
    main()
