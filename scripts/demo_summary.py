#!/usr/bin/env python3
"""Prints the demo's summary and checks its outcome.

Arguments: the rig's summary JSON, the tracking simulator's state JSON,
`passgatectl status --json` and `passgatectl sessions --all --limit 0 --json`. Exits 0 only when every rig expectation was met,
every denial reason the day plays was shown (card taps' included), every session the gate
admitted (app and card) reached the tracking engine (and no other), and the gate's outbox is
empty.
"""
import json
import sys

EXPECTED_DENIALS = {
    "malformed", "unsupported_alg", "unknown_key", "bad_signature", "wrong_issuer",
    "wrong_audience", "expired", "not_yet_valid", "stale", "replayed", "bad_claims",
    "shopper_blocked", "offline_limit", "lane_unavailable",
    "payment_declined", "card_in_session",  # card taps: a declined card, a card tapped twice
}


def tap_denials(steps):
    """The gate's denials of card taps, by reason: the rig counts scans' denials, not taps'."""
    counts = {}
    for step in steps:
        if step.get("kind") != "tap" or not step.get("expectations"):
            continue
        answer = step["expectations"][0].get("actual", "")
        if answer not in ("admitted", "not_collecting") and answer.isidentifier():
            counts[answer] = counts.get(answer, 0) + 1
    return counts


def main(rig_file, tracking_file, gate_file, sessions_file):
    rig = json.load(open(rig_file))
    tracking = json.load(open(tracking_file))
    gate = json.load(open(gate_file))
    gate_sessions = json.load(open(sessions_file)).get("sessions", [])
    problems = []

    print("\n== Passgate demo summary")
    print("admitted per lane (scans / people entered):")
    for lane, s in sorted(rig.get("lanes", {}).items(), key=lambda kv: int(kv[0])):
        print(f"  lane {lane}: {s.get('admitted_scans', 0)} scan(s), {s.get('entered', 0)} entered, "
              f"{s.get('exits', 0)} exit(s), {s.get('denied_scans', 0)} denied")
    print("denials by reason (scans and card taps):")
    denials = dict(rig.get("denials", {}))
    for reason, count in tap_denials(rig.get("steps", [])).items():
        denials[reason] = denials.get(reason, 0) + count
    for reason in sorted(denials):
        print(f"  {reason:18} {denials[reason]}")
    missing = EXPECTED_DENIALS - set(denials)
    if missing:
        problems.append("denial reasons never shown: " + ", ".join(sorted(missing)))

    passages = {}
    for p in tracking.get("passages", []):
        passages[p["kind"]] = passages.get(p["kind"], 0) + 1
    print("passages reported to the tracking engine: " +
          ", ".join(f"{k} {v}" for k, v in sorted(passages.items())))
    for kind in ("admitted", "exit", "tailgate", "wrong_way"):
        if passages.get(kind, 0) == 0:
            problems.append(f"no '{kind}' passage reached the tracking engine")

    engine_ids = {s["session_id"] for s in tracking.get("sessions", [])}
    reached = {"open", "open_offline", "cancelled"}
    gate_ids = {s["session_id"] for s in gate_sessions if s["state"] in reached}
    offline = sum(1 for s in gate_sessions if s.get("offline"))
    cards = sum(1 for s in tracking.get("sessions", []) if s.get("shopper", "").startswith("card:"))
    print(f"sessions: gate database {len(gate_ids)} admitted ({offline} offline), "
          f"tracking engine {len(engine_ids)} ({cards} of card shoppers); by state in the gate: {gate.get('sessions_by_state')}")
    # A session the gate denied after asking the engine to open it (the engine did not answer,
    # then the offline policy or its limits refused the shopper) is reported to the engine all
    # the same, opened and cancelled, in case the request reached it: the engine then holds it
    # as cancelled, and it must not be anything else.
    denied_ids = {s["session_id"] for s in gate_sessions if s["state"] == "denied"}
    engine_states = {s["session_id"]: s.get("state") for s in tracking.get("sessions", [])}
    only_engine = {i for i in engine_ids - gate_ids
                   if not (i in denied_ids and engine_states.get(i) == "cancelled")}
    if gate_ids - engine_ids or only_engine:
        problems.append(f"sessions differ: only in the gate {sorted(gate_ids - engine_ids)}, "
                        f"only in the engine {sorted(only_engine)}")
    if gate.get("outbox", 1) != 0:
        problems.append(f"gate outbox not drained: {gate.get('outbox')} message(s) left")
    exp = rig.get("expectations", {})
    print(f"rig expectations: {exp.get('met', 0)} met, {exp.get('failed', 0)} failed")
    if exp.get("failed", 1) != 0 or not rig.get("passed", False):
        problems.append("the rig saw unexpected outcomes (see its log above)")

    if problems:
        print("OUTCOME: UNEXPECTED")
        for p in problems:
            print("  - " + p)
        return 1
    print("OUTCOME: as expected (sessions in the tracking engine = sessions in the gate's database)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
