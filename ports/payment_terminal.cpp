#include "ports/payment_terminal.hpp"

namespace passgate {

std::string_view to_string(TerminalStep step) {
  switch (step) {
    case TerminalStep::create_customer: return "create_customer";
    case TerminalStep::create_hold: return "create_hold";
    case TerminalStep::collect: return "collect";
    case TerminalStep::confirm: return "confirm";
    case TerminalStep::process: return "process";
    case TerminalStep::cancel_action: return "cancel_action";
    case TerminalStep::read_reader: return "read_reader";
    case TerminalStep::read_intent: return "read_intent";
    case TerminalStep::void_intent: return "void_intent";
    case TerminalStep::increment: return "increment";
  }
  return "unknown";
}

std::string terminal_idempotency_key(TerminalStep step, const TerminalAttempt& attempt) {
  const std::string& sid = attempt.session_id;
  const std::string n = std::to_string(attempt.try_counter);
  switch (step) {
    case TerminalStep::create_customer: return sid + ":customer";
    case TerminalStep::create_hold: return sid + ":tpreauth";
    case TerminalStep::collect: return sid + ":collect:" + n;
    case TerminalStep::confirm: return sid + ":confirm";
    case TerminalStep::process: return sid + ":process";
    case TerminalStep::cancel_action: return sid + ":cancel_action:" + n;
    case TerminalStep::void_intent: return sid + ":void";
    case TerminalStep::increment: return sid + ":increment";
    case TerminalStep::read_reader:
    case TerminalStep::read_intent: return {};
  }
  return {};
}

std::string_view to_string(TerminalOutcomeKind kind) {
  switch (kind) {
    case TerminalOutcomeKind::succeeded: return "succeeded";
    case TerminalOutcomeKind::in_progress: return "in_progress";
    case TerminalOutcomeKind::declined: return "declined";
    case TerminalOutcomeKind::reader_failed: return "reader_failed";
    case TerminalOutcomeKind::busy: return "busy";
    case TerminalOutcomeKind::offline: return "offline";
    case TerminalOutcomeKind::rejected: return "rejected";
    case TerminalOutcomeKind::retry_later: return "retry_later";
    case TerminalOutcomeKind::unknown: return "unknown";
    case TerminalOutcomeKind::unverified: return "unverified";
  }
  return "unknown";
}

}  // namespace passgate
