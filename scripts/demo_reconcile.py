#!/usr/bin/env python3
"""Reconciles the demo's store day: carts, card holds, the gate's payment queue and the gateway's ledger.

Waits (up to --timeout seconds) until every session that had an admitted passage has a final
cart at the tracking engine, the gate has recorded every final cart and planned its
settlement, every card session has all its operations queued, and no payment operation is
pending or in flight. Then prints one row per final cart and checks:
  - every final cart is recorded by the gate with the same total and settled once;
  - every non-empty app cart is charged exactly once at the gateway (one intent, amount =
    total, collected = total), an empty cart not at all;
  - every card session (a card tapped at a lane's reader) is settled from its hold: an empty
    cart voids it, a cart within it is captured from it, a cart above it captures the whole
    hold and charges the rest to the saved card once (scripts/demo_cards.py); no card session
    is partially paid;
  - the card attempts that admitted nobody (declined, tapped twice, abandoned) hold nothing;
    no card hold is left open; no intent for anything else;
  - the ledger's total equals the carts' total minus the declined carts (shown separately);
  - the gateway reports 0 duplicates;
  - the queue holds nothing but the expected declines (dead-letter), none pending, in flight,
    dead or written off;
  - some charges waited in the queue during the gateway outage (more than one attempt);
  - with --card-hold: the day had a card cart within the hold and one above it, and card taps
    refused payment_declined and card_in_session.
Exits 0 only if all of that holds.

The tracking and gateway simulators are read through their control ports (GET
/control/state, GET /control/ledger), the gate's database file read-only with sqlite3.
"""
import argparse
import contextlib
import json
import re
import sqlite3
import sys
import time
import urllib.request

import demo_cards

DECLINED_STATE = "declined"
UNFINISHED_STATES = ("pending", "in_flight")


def fetch(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
        return json.load(reply)


def read_gate(path):
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        carts = {sid: (currency, total) for sid, currency, total in
                 db.execute("SELECT session_id, currency, total_minor FROM carts")}
        settlements = {sid: plan for sid, plan in db.execute("SELECT session_id, plan FROM settlements")}
        ops = [dict(zip(("id", "session_id", "op", "amount_minor", "currency", "state", "alert", "attempts",
                         "last_error"), row))
               for row in db.execute("SELECT id, session_id, op, amount_minor, currency, state, alert, attempts, "
                                     "last_error FROM payment_ops ORDER BY id")]
    return carts, settlements, ops


def carted_sessions(tracking):
    """Sessions that had an admitted passage (the cameras finalize their carts), in order."""
    admitted = []
    for p in tracking.get("passages", []):
        sid = p.get("session_id")
        if p.get("kind") == "admitted" and sid and sid not in admitted:
            admitted.append(sid)
    return admitted


def settled(tracking, gate, cards):
    """What the store day still waits for, or None when everything is settled."""
    carts, settlements, ops = gate
    sessions = {s["session_id"]: s for s in tracking.get("sessions", [])}
    admitted = carted_sessions(tracking)
    open_carts = [sid for sid in admitted if sessions.get(sid, {}).get("state") != "final"]
    if open_carts:
        return f"{len(open_carts)} cart(s) not final at the tracking engine yet"
    final = {sid for sid, s in sessions.items() if s["state"] == "final"}
    if set(carts) != final:
        return f"the gate has recorded {len(carts)} of {len(final)} final cart(s)"
    if set(settlements) != set(carts):
        return f"the gate has planned {len(settlements)} of {len(carts)} settlement(s)"
    busy = [op for op in ops if op["state"] in UNFINISHED_STATES]
    if busy:
        return f"{len(busy)} payment operation(s) pending or in flight"
    # A card session's charge of the rest above its hold is queued after its capture is done.
    queued = {}
    for op in ops:
        queued[op["session_id"]] = queued.get(op["session_id"], 0) + 1
    short = [sid for sid, a in demo_cards.admitted(cards).items()
             if sid in carts and queued.get(sid, 0) < demo_cards.ops_expected(carts[sid][1], a["hold_minor"])]
    if short:
        return f"{len(short)} card session(s) not fully queued yet"
    return None


def money(minor):
    return f"{minor / 100:,.2f}"


def rig_steps(rig_summary_file):
    if not rig_summary_file:
        return []
    with open(rig_summary_file) as f:
        return json.load(f).get("steps", [])


def shopper_names(steps, cards):
    """shp_rig_<n> (the subject the rig gives step n) -> the step's label, or its kind and
    number; a card session's id -> the label of the tap step it admitted."""
    names = {f"shp_rig_{s['number']}": s.get("label") or f"{s['kind']} #{s['number']}" for s in steps}
    names.update(demo_cards.tap_labels(steps, cards))
    return names


def who(session_id, shopper, names):
    if shopper.startswith("card:"):
        return names.get(session_id, "card shopper")
    return names.get(shopper, shopper) if re.fullmatch(r"shp_rig_\d+", shopper) else shopper


def app_row(total, declined, session_ops, intents):
    """Problems with one app session's charge."""
    problems = []
    if total == 0:
        if session_ops:
            problems.append(f"{len(session_ops)} payment operation(s) for an empty cart")
        if intents:
            problems.append(f"{len(intents)} gateway intent(s) for an empty cart")
        return problems
    charges = [op for op in session_ops if op["op"] == "charge"]
    if len(session_ops) != 1 or len(charges) != 1 or charges[0]["amount_minor"] != total:
        problems.append("expected exactly one charge of the cart's total in the queue, found " +
                        ", ".join(f"{op['op']} {op['amount_minor']}" for op in session_ops))
    if len(intents) != 1:
        problems.append(f"{len(intents)} gateway intents, expected exactly 1")
    elif intents[0]["amount"] != total:
        problems.append(f"charged {intents[0]['amount']} for a cart of {total}")
    want_state, want_intent = ("declined", "requires_payment_method") if declined else ("succeeded", "succeeded")
    if session_ops and session_ops[0]["state"] != want_state:
        problems.append(f"queue state {session_ops[0]['state']}, expected {want_state}")
    if intents and intents[0]["status"] != want_intent:
        problems.append(f"intent {intents[0]['status']}, expected {want_intent}")
    collected = sum(i["amount_received"] for i in intents)
    want_collected = 0 if declined else total
    if collected != want_collected:
        problems.append(f"collected {collected}, expected {want_collected}")
    return problems


def reconcile(tracking, ledger, gate, cards, declined_shoppers, names, card_hold):
    carts, settlements, ops = gate
    card_sessions = demo_cards.admitted(cards)
    problems = []
    sessions = {s["session_id"]: s for s in tracking["sessions"]}
    final = [s for s in tracking["sessions"] if s["state"] == "final"]
    intents_by_session = {}
    for intent in ledger["intents"]:
        intents_by_session.setdefault(intent["session_id"], []).append(intent)
    ops_by_session = {}
    for op in ops:
        ops_by_session.setdefault(op["session_id"], []).append(op)

    print("\n== Reconciliation: final carts, card holds, the gate's payment queue, the gateway's ledger")
    header = (f"{'session':9} {'shopper':24} {'cart':>8} {'hold':>6}  {'gate queue (attempts)':54} "
              f"{'gateway intents':36} {'collected':>9}  check")
    print(header)
    print("-" * len(header))
    carts_total = declined_total = unpaid_total = 0
    declined_rows = []
    settled_cards = []
    for s in final:
        sid, shopper, total = s["session_id"], s["shopper"], s["total_minor"]
        declined = shopper in declined_shoppers
        carts_total += total
        gate_cart = carts.get(sid)
        session_ops = ops_by_session.get(sid, [])
        intents = intents_by_session.get(sid, [])
        collected = sum(i["amount_received"] for i in intents)
        row_problems = []
        if gate_cart is None:
            row_problems.append("the gate never recorded this cart")
        elif gate_cart[1] != total:
            row_problems.append(f"the gate recorded a total of {gate_cart[1]}, the engine {total}")
        if sid not in settlements:
            row_problems.append("no settlement planned")
        attempt = card_sessions.get(sid)
        if attempt is not None:
            card_problems, collected, unpaid = demo_cards.check_session(attempt, total, session_ops, intents, cards)
            row_problems += card_problems
            unpaid_total += unpaid
            settled_cards.append((total, attempt["hold_minor"], collected, unpaid))
        else:
            row_problems += app_row(total, declined, session_ops, intents)
            if declined and total > 0:
                declined_total += total
                declined_rows.append((sid, shopper, total, session_ops))
        queue_text = ", ".join(f"{op['op']} {money(op['amount_minor'])} {op['state']} ({op['attempts']})"
                               for op in session_ops) or "-"
        intent_text = ", ".join(f"{i['op']} {i['status']}" for i in intents) or "-"
        hold_text = money(attempt["hold_minor"]) if attempt is not None else "-"
        mark = "ok" if not row_problems else "MISMATCH"
        if declined and not row_problems and total > 0:
            mark = "ok (declined)"
        print(f"{sid[:8]:9} {who(sid, shopper, names)[:24]:24} {money(total):>8} {hold_text:>6}  {queue_text[:54]:54} "
              f"{intent_text[:36]:36} {money(collected):>9}  {mark}")
        problems += [f"session {sid} ({who(sid, shopper, names)}): {p}" for p in row_problems]
    print("-" * len(header))

    finals = {s["session_id"] for s in final}
    unheld, unheld_problems = demo_cards.unheld_attempts(ledger, card_sessions)
    problems += unheld_problems
    strays = [i for i in ledger["intents"] if i["session_id"] not in finals and
              not (i["op"] == demo_cards.HOLD_OP and i["session_id"] not in card_sessions)]
    if strays:
        problems.append(f"{len(strays)} gateway intent(s) for sessions without a final cart: " +
                        ", ".join(f"{i['session_id']} {i['op']}" for i in strays))
    stray_ops = [op for op in ops if op["session_id"] not in finals]
    if stray_ops:
        problems.append(f"{len(stray_ops)} payment operation(s) for sessions without a final cart")

    usd = ledger.get("totals", {}).get("usd", {"collected": 0, "held": 0})
    ledger_total = sum(t["collected"] for t in ledger.get("totals", {}).values())
    empty = sum(1 for s in final if s["total_minor"] == 0)
    print(f"final carts:              {len(final)} ({empty} empty), total {money(carts_total)}")
    print(f"declined (dead-letter):   {len(declined_rows)} cart(s), {money(declined_total)}")
    print(f"carts minus declined:     {money(carts_total - declined_total)}")
    print(f"gateway ledger collected: {money(ledger_total)} (held {money(usd.get('held', 0))})")
    problems += demo_cards.report(ledger, cards, settled_cards, card_hold, money)
    print("card attempts unadmitted: " + (", ".join(f"{k} {v}" for k, v in sorted(unheld.items())) or "none") +
          " (their holds at the gateway)")
    duplicates = ledger.get("duplicates", [])
    print(f"duplicate charges:        {len(duplicates)}")
    expected_total = carts_total - declined_total - unpaid_total
    if ledger_total != expected_total:
        problems.append(f"the ledger collected {ledger_total}, the carts minus declines and unpaid remainders total "
                        f"{expected_total}")
    if usd.get("held", 0) != 0:
        problems.append(f"{usd['held']} still held at the gateway")
    if duplicates:
        problems.append(f"the gateway reports duplicate charges: {json.dumps(duplicates)}")

    by_state = {}
    for op in ops:
        by_state[op["state"]] = by_state.get(op["state"], 0) + 1
    waited = [op for op in ops if op["attempts"] > 1]
    print("gate queue by state:      " + (", ".join(f"{k} {v}" for k, v in sorted(by_state.items())) or "empty"))
    print(f"waited in the queue:      {len(waited)} operation(s) needed more than one attempt (gateway outage)")
    requests = ledger.get("requests", {})
    print(f"gateway requests:         {requests.get('total', 0)} ({requests.get('replayed', 0)} replayed)")
    leftover = [op for op in ops if op["state"] not in ("succeeded", DECLINED_STATE)]
    if leftover:
        problems.append("the queue is not empty: " +
                        ", ".join(f"#{op['id']} {op['op']} {op['state']} ({op['last_error']})" for op in leftover))
    unexpected = [op for op in ops if op["state"] == DECLINED_STATE and
                  sessions.get(op["session_id"], {}).get("shopper") not in declined_shoppers]
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected decline(s): " + ", ".join(op["session_id"] for op in unexpected))
    for shopper in declined_shoppers:
        theirs = [s for s in final if s["shopper"] == shopper]
        if not theirs:
            problems.append(f"the declining shopper {shopper} has no final cart")
        elif all(s["total_minor"] == 0 for s in theirs):
            problems.append(f"the declining shopper {shopper}'s cart is empty, so nothing was declined "
                            "(choose another --cart-seed)")
    for sid, shopper, total, session_ops in declined_rows:
        for op in session_ops:
            print(f"  dead-letter: op #{op['id']} {op['op']} {money(total)} for {shopper} ({sid[:8]}): "
                  f"{op['last_error'] or 'declined'}{', alert raised' if op['alert'] else ''}")
    if not waited:
        problems.append("no payment waited in the queue: the gateway outage did not overlap any charge")

    if problems:
        print("RECONCILIATION: MISMATCH")
        for p in problems:
            print("  - " + p)
        return 1
    print("RECONCILIATION: every final cart charged exactly once (card carts from their holds); ledger = carts - "
          "declined; 0 duplicates; 0 open holds; queue empty but for the expected decline")
    return 0


def run(args):
    started = time.monotonic()
    while True:
        tracking = fetch(args.tracking_control, "/control/state")
        gate = read_gate(args.db)
        cards = demo_cards.read_cards(args.db)
        waiting_for = settled(tracking, gate, cards)
        if waiting_for is None or time.monotonic() - started > args.timeout:
            break
        time.sleep(0.25)
    elapsed = time.monotonic() - started
    if waiting_for is not None:
        print(f"settlement not complete after {args.timeout:.0f} s: {waiting_for}")
    else:
        print(f"settlement complete {elapsed:.1f} s after the last shopper")
    ledger = fetch(args.gateway_control, "/control/ledger")
    names = shopper_names(rig_steps(args.rig_summary), cards)
    status = reconcile(tracking, ledger, gate, cards, set(args.declined_shopper), names, args.card_hold)
    return 1 if waiting_for is not None else status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracking-control", type=int, required=True, help="tracking simulator's control port")
    parser.add_argument("--gateway-control", type=int, required=True, help="gateway simulator's control port")
    parser.add_argument("--db", required=True, help="the gate's SQLite database file")
    parser.add_argument("--declined-shopper", action="append", default=[],
                        help="a shopper whose card the gateway declines (repeatable)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait for settlement")
    parser.add_argument("--rig-summary", help="the rig's --summary-json file, to name shoppers by their step")
    parser.add_argument("--card-hold", type=int, help="the card hold of the day (minor units): expect every card "
                        "session held that much, a card cart within it and one above it, a declined tap and a "
                        "card tapped twice")
    args = parser.parse_args()
    try:
        return run(args)
    except (OSError, sqlite3.Error) as e:  # urllib's URLError is an OSError
        print(f"cannot reconcile: {e} (are both simulators still running, and is {args.db} the gate's database?)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
