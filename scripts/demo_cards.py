"""The card side of the demo's reconciliation (scripts/demo_reconcile.py): card-tap sessions,
their holds at the gateway and the remainders above them.

A card session is the session of a card attempt the gate recorded as admitted. With T its
final cart and H its hold, settlement is (docs/settlement.md, *Card sessions*): T = 0 a void
of the hold; T <= H a capture of T; T > H, for a card that supports incremental authorization
(the simulator's default), an increment of the hold to T, then a capture of T; T > H otherwise
a capture of H, then a charge of T - H to the card saved at the tap (or, without one, T - H
partially paid: a dead letter, the card blocklisted).
Every other card attempt (declined, refused, abandoned when its lane re-armed) must hold
nothing at the gateway: its PaymentIntent cancelled, or still waiting on a reader.
"""
import contextlib
import re
import sqlite3

HOLD_OP = "tpreauth"        # the gateway ledger's op of a card-present hold
UNHELD = ("canceled", "requires_payment_method", "requires_confirmation")
REMAINDER_KEYS = (":charge:remainder", ":charge:capture:remainder")


def read_cards(path):
    """The gate's card attempts and the cards its blocklist holds now."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        attempts = [dict(zip(("session_id", "lane", "state", "reason", "shopper_denied", "hold_minor", "last4",
                              "saved_card", "incremental"), row))
                    for row in db.execute("SELECT session_id, lane, state, reason, shopper_denied, hold_minor, "
                                          "card_last4, card_sealed IS NOT NULL, card_incremental = 1 "
                                          "FROM card_attempts ORDER BY armed_at_ms")]
        blocklisted = db.execute("SELECT COUNT(*) FROM card_blocklist WHERE lifted_at_ms = 0").fetchone()[0]
        keys = {op_id: key for op_id, key in db.execute("SELECT id, idempotency_key FROM payment_ops")}
    return {"attempts": attempts, "blocklisted": blocklisted, "keys": keys}


def admitted(cards):
    """session id -> its admitted card attempt."""
    return {a["session_id"]: a for a in cards["attempts"] if a["state"] == "admitted"}


def tap_labels(rig_steps, cards):
    """session id of an admitted card attempt -> the label of the rig's tap step that admitted
    it (matched by the card's last digits, in the rig's order of admitted taps)."""
    labels = {}
    for step in rig_steps:
        card = re.search(r"card ending (\d{4})", step.get("title", ""))
        expected = [e.get("expected") for e in step.get("expectations", [])]
        if step.get("kind") == "tap" and card and "admitted" in expected:
            labels.setdefault(card.group(1), []).append(step.get("label") or f"tap #{step['number']}")
    names = {}
    for a in cards["attempts"]:
        if a["state"] == "admitted" and labels.get(a["last4"]):
            names[a["session_id"]] = labels[a["last4"]].pop(0)
    return names


def expected_ops(total, hold, incremental=False):
    """The operations settling a card cart of `total` on a hold of `hold` (of a card supporting
    incremental authorization or not): [(op, amount)]."""
    if total == 0:
        return [("void", 0)]
    if total <= hold:
        return [("capture", total)]
    if incremental:
        return [("increment", total), ("capture", total)]
    return [("capture", hold), ("charge", total - hold)]


def ops_expected(total, hold):
    """How many operations settle a card cart of `total` on a hold of `hold` (as many with an
    increment as without)."""
    return len(expected_ops(total, hold))


def is_remainder(op, cards):
    return cards["keys"].get(op["id"], "").endswith(REMAINDER_KEYS)


def check_session(attempt, total, session_ops, intents, cards):
    """Problems with one card session's settlement; and what it collected and left unpaid."""
    hold = attempt["hold_minor"]
    problems = []
    want = expected_ops(total, hold, attempt["incremental"])
    got = [(op["op"], op["amount_minor"]) for op in session_ops]
    if got != want:
        problems.append("expected " + ", ".join(f"{op} {amount}" for op, amount in want) + " in the queue, found " +
                        (", ".join(f"{op} {amount}" for op, amount in got) or "nothing"))
    unpaid = sum(op["amount_minor"] for op in session_ops
                 if is_remainder(op, cards) and op["state"] not in ("succeeded", "written_off"))
    if unpaid:
        problems.append(f"partially paid: {unpaid} unpaid (the card is blocklisted)")
    not_done = [f"{op['op']} {op['state']}" for op in session_ops if op["state"] != "succeeded"]
    if not_done:
        problems.append("not settled: " + ", ".join(not_done))
    holds = [i for i in intents if i["op"] == HOLD_OP]
    others = [i for i in intents if i["op"] != HOLD_OP]
    if len(holds) != 1:
        problems.append(f"{len(holds)} holds at the gateway, expected exactly 1")
    elif holds[0]["status"] != ("canceled" if total == 0 else "succeeded"):
        problems.append(f"hold {holds[0]['status']}, expected {'voided' if total == 0 else 'captured'}")
    charges_wanted = 1 if total > hold and not attempt["incremental"] else 0
    if len(others) != charges_wanted or any(i["op"] != "charge" for i in others):
        problems.append(f"{len(others)} other intent(s) ({', '.join(i['op'] for i in others) or 'none'}), "
                        f"expected {charges_wanted} charge of the rest")
    collected = sum(i["amount_received"] for i in intents)
    if collected != total - unpaid:
        problems.append(f"collected {collected}, expected {total - unpaid}")
    return problems, collected, unpaid


def unheld_attempts(ledger, card_sessions):
    """Holds at the gateway for card attempts that admitted nobody: (counts by status, problems)."""
    counts, problems = {}, []
    for intent in ledger["intents"]:
        if intent["op"] != HOLD_OP or intent["session_id"] in card_sessions:
            continue
        counts[intent["status"]] = counts.get(intent["status"], 0) + 1
        if intent["status"] not in UNHELD or intent["amount_received"] != 0:
            problems.append(f"card attempt {intent['session_id']} admitted nobody, but its hold is "
                            f"{intent['status']} ({intent['amount_received']} received)")
    return counts, problems


def report(ledger, cards, settled_cards, card_hold, money):
    """Prints the card lines of the summary; the problems they show. `settled_cards`: per card
    session with a final cart, (total, hold, collected, unpaid)."""
    problems = []
    sessions = admitted(cards)
    within = [s for s in settled_cards if 0 < s[0] <= s[1]]
    above = [s for s in settled_cards if s[0] > s[1]]
    empty = [s for s in settled_cards if s[0] == 0]
    partial = [s for s in above if s[3] > 0]
    rest = sum(s[0] - s[1] - s[3] for s in above)
    print(f"card sessions:            {len(sessions)} admitted by a tap: {len(within)} cart(s) within the hold, "
          f"{len(above)} above it, {len(empty)} empty")
    card = ledger.get("card_present", {})
    print(f"card holds at the gateway: {card.get('intents', 0)} intents: {card.get('captured', 0)} captured, "
          f"{card.get('voided', 0)} voided, {card.get('open_holds', 0)} open (held {money(card.get('held', 0))}); "
          f"{card.get('declined', 0)} declined at the tap, {card.get('abandoned', 0)} cancelled unheld, "
          f"{card.get('armed', 0)} armed on the readers")
    raised = card.get("incremented", 0)
    print(f"carts above a hold:       {len(above) - len(partial)} paid in full ({money(rest)} above the holds): "
          f"{raised} hold(s) raised by an increment and captured, {len(above) - len(partial) - raised} rest(s) "
          f"charged to the saved card; "
          f"partially paid: {len(partial)} ({money(sum(s[3] for s in partial))} unpaid); "
          f"cards on the blocklist: {cards['blocklisted']}")
    refused = {}
    for a in cards["attempts"]:
        if a["shopper_denied"]:
            refused[a["reason"]] = refused.get(a["reason"], 0) + 1
    print("card taps refused:        " + (", ".join(f"{k} {v}" for k, v in sorted(refused.items())) or "none"))

    if card.get("open_holds", 0) != 0 or card.get("held", 0) != 0:
        problems.append(f"{card.get('open_holds')} card hold(s) still open at the gateway ({card.get('held')} held)")
    if partial:
        problems.append(f"{len(partial)} card session(s) partially paid")
    if cards["blocklisted"]:
        problems.append(f"{cards['blocklisted']} card(s) on the blocklist")
    if card_hold is not None:
        wrong = [a["session_id"] for a in sessions.values() if a["hold_minor"] != card_hold]
        if wrong:
            problems.append(f"card sessions with a hold other than {card_hold}: {', '.join(wrong)}")
        if not within or not above:
            problems.append(f"the day needs a card cart within the hold ({len(within)}) and one above it "
                            f"({len(above)}): choose another hold or --cart-seed")
        for reason in ("payment_declined", "card_in_session"):
            if reason not in refused:
                problems.append(f"no card tap was refused {reason}")
    return problems
