"""j. Scan-to-release with the store-wide claim (issue 20): a gate with [store] on a local
three-member etcd cluster (etcd_cluster.py: loopback, TLS with client certificates, the
members' data on the build's disk); every app entry claims its token and opens its shopper's
session in etcd (one transaction for both) before the release, at the default
coordination_timeout_ms (300 ms; a slower answer is admitted unverified, counted as
fallback_local). As in section a, with the tracking engine unreachable (policy admit) and with
its simulator on loopback, each on a new gate; and offline with [entry] anti_passback = "off",
so that the gate claims the token only, as the floor does. Floor: token verification + the
durable session commit + one etcd claim (the token's), in-process, on the same cluster, in the
same run (passgate-bench-admission --etcd-endpoint). Goal: p99 at most 1.5 times the floor's."""

from bench_context import closed_port, section
from etcd_cluster import EtcdCluster
from gate_process import STORE

GOAL_P99_RATIO = 1.5


def store_claims(b, results):
    n = b.sizes["store_scans"]
    cluster = EtcdCluster(f"{b.work}/etcd", arrays=("bench", "floor"), store=STORE)
    b.running.append(cluster)
    cluster.start()
    files = cluster.client_files("floor")
    section(f"j. floor: token verification + durable session commit + one etcd claim, in-process, {n} times")
    floor = b.run_json("passgate-bench-admission", "--database", f"{b.work}/store-floor.db", "--count", n,
                       *[a for e in cluster.endpoints() for a in ("--etcd-endpoint", e)], "--etcd-ca",
                       files["ca_file"], "--etcd-cert", files["cert_file"], "--etcd-key", files["key_file"])

    down = f"http://127.0.0.1:{closed_port()}"
    section(f"j. scan-to-release with [store] (3-member etcd on loopback), offline (tracking engine unreachable, "
            f"policy admit), {n} scans")
    offline = store_scans(b, cluster, "store-offline", down, down, n, policy="admit")
    section(f"j. the same with anti_passback off (the token's claim only, as in the floor), {n} scans")
    token_only = store_scans(b, cluster, "store-token-only", down, down, n, policy="admit",
                             tables='[entry]\nanti_passback = "off"\n')
    section(f"j. scan-to-release with [store] (3-member etcd on loopback), tracking engine on loopback, {n} scans")
    tracking = b.simulator("tracking", "tracking-store")
    online = store_scans(b, cluster, "store-online", tracking.url, down, n)
    tracking.stop()
    cluster.stop()
    cases = {"offline": offline, "offline_token_claim_only": token_only, "tracking_loopback": online}
    results["store_claim"] = {"floor_verify_commit_claim": floor, **cases, "goal_p99_ratio": GOAL_P99_RATIO,
                              "p99_ratio": {case: f["scans"]["p99_us"] / floor["p99_us"] for case, f in cases.items()}}


def store_scans(b, cluster, name, tracking_url, gateway_url, n, tables="", **options):
    """`n` scans on a new gate `name` with [store] (and `tables`); their figures, the gate's
    entries by what their claims decided, and its claims' count and mean time by kind."""
    gate = b.gate(name, tracking_url, gateway_url, tables=tables + cluster.store_section("bench"), **options)
    gate.start()
    scans = b.scans(gate, n, shoppers=f"shp_{name.replace('-', '_')}_")
    page = gate.metrics_page()
    gate.stop()
    return {"scans": scans, "admissions": gate.store_admissions(page), "claims": gate.store_claims(page)}
