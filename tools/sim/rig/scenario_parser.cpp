// parse_scenario(): TOML text -> Scenario, checking every step before anything runs.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>

#include "common/denial_reason.hpp"
#include "tools/sim/rig/scenario.hpp"

namespace passgate::sim {
namespace {

// Thrown inside this file only; parse_scenario() turns it into an Error.
struct Problem {
  std::string text;
};

constexpr std::string_view kReplayPrefix = "replay:";

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string describe_type(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string flaw_names() {
  std::vector<std::string> names = token_flaw_names();
  std::erase(names, std::string(token_flaw_name(TokenFlaw::none)));
  return join(names);
}

std::string denial_reason_names() {
  std::vector<std::string> names;
  for (const std::string_view name : passgate::denial_reason_names()) names.emplace_back(name);
  return join(names);
}

std::string gateway_fault_names() {
  std::vector<std::string> names;
  // GatewayFaultMode's values are contiguous, drop_response last.
  for (int i = 0; i <= static_cast<int>(GatewayFaultMode::drop_response); ++i) {
    names.emplace_back(to_string(static_cast<GatewayFaultMode>(i)));
  }
  return join(names);
}

std::string kind_names() {
  const auto kinds = step_kind_names();
  return join(std::vector<std::string>(kinds.begin(), kinds.end()));
}

// Reads one [[step]] table key by key and remembers which keys a step of its kind may have.
class StepReader {
 public:
  StepReader(const toml::table& table, const std::string& source, int number)
      : table_(table), source_(source), number_(number) {}

  void set_kind(std::string_view kind) { kind_ = kind; }

  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const {
    std::string text = source_ + ":" + std::to_string(where.begin.line) + ": step " + std::to_string(number_);
    if (!kind_.empty()) text += " (" + kind_ + ")";
    throw Problem{text + ": " + what};
  }
  [[noreturn]] void fail(const std::string& what) const { fail(table_.source(), what); }
  [[noreturn]] void fail_at(std::string_view key, const std::string& what) const {
    const toml::node* n = table_.get(key);
    fail(n != nullptr ? n->source() : table_.source(), what);
  }

  const toml::node* get(std::string_view key) {
    asked_.emplace_back(key);
    return table_.get(key);
  }

  std::optional<std::string> text(std::string_view key) {
    const toml::node* n = get(key);
    if (n == nullptr) return std::nullopt;
    const auto* s = n->as_string();
    if (s == nullptr) fail(n->source(), "`" + std::string(key) + "` is " + describe_type(*n) + ", expected a string");
    if (s->get().empty()) fail(n->source(), "`" + std::string(key) + "` is empty, expected a non-empty string");
    return s->get();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* n = get(key);
    if (n == nullptr) return std::nullopt;
    const std::string expected = "expected an integer " + std::to_string(min) + "-" + std::to_string(max);
    const auto* i = n->as_integer();
    if (i == nullptr) fail(n->source(), "`" + std::string(key) + "` is " + describe_type(*n) + ", " + expected);
    if (i->get() < min || i->get() > max) {
      fail(n->source(), "`" + std::string(key) + "` is " + std::to_string(i->get()) + ", " + expected);
    }
    return i->get();
  }

  std::int64_t required_integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const auto v = integer(key, min, max);
    if (!v) {
      fail("missing `" + std::string(key) + "`, expected an integer " + std::to_string(min) + "-" +
           std::to_string(max));
    }
    return *v;
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* n = get(key);
    if (n == nullptr) return std::nullopt;
    const auto* b = n->as_boolean();
    if (b == nullptr) fail(n->source(), "`" + std::string(key) + "` is " + describe_type(*n) + ", expected true or false");
    return b->get();
  }

  // Any key this kind of step does not have is an error (most likely a typo).
  void reject_unknown_keys() const {
    for (const auto& [key, node] : table_) {
      if (std::find(asked_.begin(), asked_.end(), key.str()) != asked_.end()) continue;
      fail(key.source(), "unknown key `" + std::string(key.str()) + "`; a " + kind_ + " step may have " + join(asked_));
    }
  }

 private:
  const toml::table& table_;
  const std::string& source_;
  int number_;
  std::string kind_;
  std::vector<std::string> asked_;
};

constexpr std::int64_t kMaxMillis = 3'600'000;
constexpr std::size_t kMaxPaymentMethod = 255;  // docs/interfaces/entry-token.md#claims: pay is 1-255 chars

std::optional<ScanSuffix> read_suffix(StepReader& r) {
  const auto name = r.text("suffix");
  if (!name) return std::nullopt;
  const auto suffix = scan_suffix_from_string(*name);
  if (!suffix) r.fail_at("suffix", "`suffix` is " + in_quotes(*name) + ", expected none, crlf or aim");
  return suffix;
}

// Parses one step; `labels` maps the labels of earlier steps to their index in `earlier`.
class StepParser {
 public:
  StepParser(const std::string& source, const std::vector<Step>& earlier, const std::map<std::string, std::size_t>& labels)
      : source_(source), earlier_(earlier), labels_(labels) {}

  Step parse(const toml::table& table, int number) {
    StepReader r(table, source_, number);
    Step step;
    step.number = number;
    step.line = static_cast<int>(table.source().begin.line);
    const auto kind = r.text("kind");
    if (!kind) r.fail("missing `kind`, expected one of " + kind_names());
    const auto kinds = step_kind_names();
    if (std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
      r.fail_at("kind", "unknown kind " + in_quotes(*kind) + ", expected one of " + kind_names());
    }
    r.set_kind(*kind);
    step.label = r.text("label").value_or("");
    if (!step.label.empty() && labels_.contains(step.label)) {
      r.fail_at("label", "label " + in_quotes(step.label) + " is already used by step " +
                             std::to_string(earlier_[labels_.at(step.label)].number) + ", expected a unique label");
    }
    if (const auto at = r.integer("at_ms", 0, kMaxMillis)) step.at = Millis{*at};
    const auto wait = r.boolean("wait");

    if (*kind == "shopper") step.action = shopper(r);
    else if (*kind == "tailgater") step.action = TailgaterStep{read_suffix(r)};
    else if (*kind == "wrong_way") step.action = WrongWayStep{};
    else if (*kind == "exit") step.action = exit(r);
    else if (*kind == "backout") step.action = BackoutStep{};
    else if (*kind == "bounce") step.action = bounce(r);
    else if (*kind == "fire_drill") step.action = fire_drill(r);
    else if (*kind == "tracking") step.action = tracking(r);
    else if (*kind == "gateway") step.action = gateway(r);
    else if (*kind == "tap") step.action = tap(r);
    else if (*kind == "reader") step.action = reader_step(r);
    else step.action = PauseStep{Millis{r.required_integer("ms", 0, kMaxMillis)}};

    // Gate-wide steps wait for everything before them unless told otherwise.
    const bool gate_wide = std::holds_alternative<FireDrillStep>(step.action) ||
                           std::holds_alternative<TrackingStep>(step.action) ||
                           std::holds_alternative<GatewayStep>(step.action);
    step.wait = wait.value_or(gate_wide);
    const bool on_lane = !gate_wide && !std::holds_alternative<PauseStep>(step.action);
    if (on_lane) step.lane = static_cast<int>(r.required_integer("lane", 1, 99));
    r.reject_unknown_keys();
    return step;
  }

 private:
  ShopperStep shopper(StepReader& r) {
    ShopperStep s;
    const std::string token = r.text("token").value_or("valid");
    if (token.starts_with(kReplayPrefix)) {
      s.token.replay_of = token.substr(kReplayPrefix.size());
      const auto it = labels_.find(s.token.replay_of);
      if (it == labels_.end()) {
        r.fail_at("token", "`token` replays " + in_quotes(s.token.replay_of) +
                               ", but no earlier step has that label; expected replay:<label of an earlier shopper>");
      }
      const Step& replayed = earlier_[it->second];
      if (!std::holds_alternative<ShopperStep>(replayed.action) && !std::holds_alternative<TailgaterStep>(replayed.action)) {
        r.fail_at("token", "`token` replays " + in_quotes(s.token.replay_of) + ", step " + std::to_string(replayed.number) +
                               " (" + std::string(kind_name(replayed.action)) +
                               ") scans no token; expected the label of a shopper or tailgater step");
      }
    } else if (token != "valid") {
      const auto flaw = token_flaw_from_name(token);
      if (!flaw || *flaw == TokenFlaw::none) {
        r.fail_at("token", "`token` is " + in_quotes(token) + ", expected valid, replay:<label> or a flaw: " + flaw_names());
      }
      s.token.flaw = *flaw;
    }
    if (const auto group = r.integer("group", 1, 10)) s.group = static_cast<int>(*group);
    s.walkers = static_cast<int>(r.integer("walkers", 0, 20).value_or(s.group.value_or(1)));
    if (const auto subject = r.text("subject")) {
      if (subject->size() > 64) r.fail_at("subject", "`subject` is " + std::to_string(subject->size()) + " characters, expected 1-64");
      s.subject = *subject;
    }
    const std::string default_expect =
        s.token.replay_of.empty() ? std::string(expected_outcome(s.token.flaw)) : std::string("replayed");
    s.expect = r.text("expect").value_or(default_expect);
    if (s.expect != "admitted" && !denial_reason_from_string(s.expect)) {
      r.fail_at("expect", "`expect` is " + in_quotes(s.expect) + ", expected admitted or a denial reason: " +
                              denial_reason_names());
    }
    s.suffix = read_suffix(r);
    s.follow = r.boolean("follow").value_or(false);
    if (const auto method = r.text("payment_method")) {
      if (!s.token.replay_of.empty()) {
        r.fail_at("payment_method", "`payment_method` does not apply to a replay, which shows the replayed step's "
                                    "token as it was; set it on step " + in_quotes(s.token.replay_of) + " instead");
      }
      if (method->size() > kMaxPaymentMethod) {
        r.fail_at("payment_method", "`payment_method` is " + std::to_string(method->size()) + " characters, expected 1-" +
                                        std::to_string(kMaxPaymentMethod));
      }
      s.payment_method = *method;
    }
    return s;
  }

  static ExitStep exit(StepReader& r) {
    ExitStep e;
    e.people = static_cast<int>(r.integer("people", 1, 20).value_or(1));
    if (const auto expect = r.text("expect")) {
      if (*expect != "free") r.fail_at("expect", "`expect` is " + in_quotes(*expect) + ", expected free");
      e.expect_free = true;
    }
    return e;
  }

  static BounceStep bounce(StepReader& r) {
    BounceStep b;
    if (const auto beam = r.text("beam")) {
      if (*beam != "outer" && *beam != "inner") r.fail_at("beam", "`beam` is " + in_quotes(*beam) + ", expected outer or inner");
      b.beam = *beam == "outer" ? Beam::outer : Beam::inner;
    }
    b.toggles = static_cast<int>(r.integer("toggles", 1, 50).value_or(4));
    return b;
  }

  static FireDrillStep fire_drill(StepReader& r) {
    FireDrillStep f;
    f.duration = Millis{r.required_integer("duration_ms", 0, kMaxMillis)};
    f.lane = static_cast<int>(r.required_integer("lane", 1, 99));
    f.leavers = static_cast<int>(r.integer("leavers", 0, 10).value_or(2));
    return f;
  }

  static TrackingStep tracking(StepReader& r) {
    TrackingStep t;
    const auto fault = r.text("fault");
    if (!fault) r.fail("missing `fault`, expected unreachable, slow or none");
    if (*fault == "unreachable") t.fault = TrackingFault::unreachable;
    else if (*fault == "slow") t.fault = TrackingFault::slow;
    else if (*fault == "none") t.fault = TrackingFault::none;
    else r.fail_at("fault", "`fault` is " + in_quotes(*fault) + ", expected unreachable, slow or none");
    const auto delay = r.integer("delay_ms", 0, kMaxMillis);
    if (t.fault == TrackingFault::slow && !delay) r.fail("missing `delay_ms`, expected how long a slow engine takes to answer");
    if (t.fault != TrackingFault::slow && delay) r.fail_at("delay_ms", "`delay_ms` applies only to fault = \"slow\"");
    t.delay = Millis{delay.value_or(0)};
    return t;
  }

  // The required `reader`: a reader id of the gateway simulator.
  static std::string reader_id(StepReader& r) {
    const auto reader = r.text("reader");
    if (!reader) r.fail("missing `reader`, expected the lane's reader id (tmr_ then 1-60 letters, digits or _)");
    const auto is_id_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; };
    if (!reader->starts_with("tmr_") || reader->size() < 5 || reader->size() > 64 ||
        !std::all_of(reader->begin() + 4, reader->end(), is_id_char)) {
      r.fail_at("reader", "`reader` is " + in_quotes(*reader) + ", expected tmr_ then 1-60 letters, digits or _");
    }
    return *reader;
  }

  static ReaderStep reader_step(StepReader& r) {
    ReaderStep step;
    step.reader = reader_id(r);
    const auto fault = r.text("fault");
    if (!fault) r.fail("missing `fault`, expected offline or online");
    if (*fault != "offline" && *fault != "online") {
      r.fail_at("fault", "`fault` is " + in_quotes(*fault) + ", expected offline or online");
    }
    step.online = *fault == "online";
    return step;
  }

  static TapStep tap(StepReader& r) {
    TapStep t;
    t.reader = reader_id(r);
    if (const auto card = r.text("card")) {
      const bool digits = std::all_of(card->begin(), card->end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || card->size() < 12 || card->size() > 19) {
        r.fail_at("card", "`card` is " + in_quotes(*card) + ", expected a test card number (12-19 digits)");
      }
      t.card = *card;
    }
    t.expect = r.text("expect").value_or("admitted");
    if (t.expect != "admitted" && t.expect != kNotCollecting && !denial_reason_from_string(t.expect)) {
      r.fail_at("expect", "`expect` is " + in_quotes(t.expect) + ", expected admitted, " + std::string(kNotCollecting) +
                              " or a denial reason: " + denial_reason_names());
    }
    return t;
  }

  static GatewayStep gateway(StepReader& r) {
    GatewayStep g;
    const std::string expected = "expected one of " + gateway_fault_names();
    const auto fault = r.text("fault");
    if (!fault) r.fail("missing `fault`, " + expected);
    const auto mode = parse_gateway_fault_mode(*fault);
    if (!mode) r.fail_at("fault", "`fault` is " + in_quotes(*fault) + ", " + expected);
    g.fault.mode = *mode;
    const auto delay = r.integer("delay_ms", 1, kMaxMillis);
    if (*mode == GatewayFaultMode::slow && !delay) {
      r.fail("missing `delay_ms`, expected how long a slow gateway takes to answer");
    }
    if (*mode != GatewayFaultMode::slow && delay) r.fail_at("delay_ms", "`delay_ms` applies only to fault = \"slow\"");
    g.fault.delay = Millis{delay.value_or(0)};
    if (const auto retry_after = r.integer("retry_after_s", 0, 86'400)) {
      if (*mode != GatewayFaultMode::rate_limit) {
        r.fail_at("retry_after_s", "`retry_after_s` applies only to fault = \"rate_limit\"");
      }
      g.fault.retry_after = std::chrono::seconds(*retry_after);
    }
    if (const auto count = r.integer("count", 1, 1'000'000)) {
      if (*mode == GatewayFaultMode::none || *mode == GatewayFaultMode::unreachable) {
        r.fail_at("count", "`count` applies only to faults that answer requests (slow, error5xx, rate_limit, "
                           "drop_response); " + *fault + " lasts until the next gateway step");
      }
      g.fault.count = static_cast<std::size_t>(*count);
    }
    return g;
  }

  const std::string& source_;
  const std::vector<Step>& earlier_;
  const std::map<std::string, std::size_t>& labels_;
};

Scenario parse_document(const toml::table& doc, const std::string& source) {
  Scenario scenario;
  scenario.source = source;
  for (const auto& [key, node] : doc) {
    const auto where = source + ":" + std::to_string(key.source().begin.line) + ": ";
    if (key.str() == "name" || key.str() == "description") {
      if (!node.is_string()) throw Problem{where + "`" + std::string(key.str()) + "` is " + describe_type(node) + ", expected a string"};
      if (key.str() == "name") scenario.name = *node.value<std::string>();
    } else if (key.str() != "step") {
      throw Problem{where + "unknown top-level key `" + std::string(key.str()) + "`; expected name, description or [[step]] tables"};
    }
  }
  const toml::node* steps = doc.get("step");
  if (steps == nullptr) throw Problem{source + ": no steps; add [[step]] tables"};
  const auto* array = steps->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    throw Problem{source + ":" + std::to_string(steps->source().begin.line) + ": `step` is " + describe_type(*steps) +
                  ", expected [[step]] tables"};
  }
  std::map<std::string, std::size_t> labels;
  StepParser parser(source, scenario.steps, labels);
  for (const auto& element : *array) {
    Step step = parser.parse(*element.as_table(), static_cast<int>(scenario.steps.size()) + 1);
    if (!step.label.empty()) labels.emplace(step.label, scenario.steps.size());
    scenario.steps.push_back(std::move(step));
  }
  if (scenario.name.empty()) scenario.name = source;
  return scenario;
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, const std::string& source) {
  try {
    const toml::table doc = toml::parse(text, source);
    return parse_document(doc, source);
  } catch (const toml::parse_error& e) {
    return make_error("bad_scenario", source + ":" + std::to_string(e.source().begin.line) + ":" +
                                          std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  } catch (const Problem& p) {
    return make_error("bad_scenario", p.text);
  }
}

}  // namespace passgate::sim
