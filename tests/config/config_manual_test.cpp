// passgate.toml(5) (docs/man/passgate.toml.5.scd) documents exactly the keys the config loader
// accepts, each in the section of its table. The loader itself says which keys a table
// accepts: a key it does not know is reported with "expected one of <every known key>". So
// the test puts such a key into every kind of table, in the variants whose keys differ
// (entry and exit lanes, input and output lines, the fire alarm, USB and serial scanners),
// and compares the lists with the manual's "*key* (" definitions under "## [table]".
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/config/config_fixture.hpp"

using passgate::test::ConfigFixture;
using passgate::test::kMinimalConfig;
using passgate::test::kMinimalGpiodConfig;
using passgate::test::replaced;

namespace {

// Far from every real key, so that the loader lists them all instead of suggesting one.
constexpr std::string_view kProbe = "zzqx_probe";
const std::string kProbeLine = std::string(kProbe) + " = 1\n";

using KeysByTable = std::map<std::string, std::set<std::string>>;

// "[io.gpiod.lines.\"lane1.buzzer\"]" -> "[io.gpiod.lines.\"NAME\"]": the manual's heading
// for every entry of a table keyed by name.
std::string section_name(const std::string& heading) {
  static const std::regex named(R"(^\[(io\.gpiod\.lines|io\.scanners)\.("[^"]*"|[A-Za-z0-9_-]+)\]$)");
  return std::regex_replace(heading, named, "[$1.\"NAME\"]");
}

// The keys the loader accepts in the table where `text` has the probe, by the manual's name
// of the table.
void add_known_keys(const ConfigFixture& fx, const std::string& text, KeysByTable& keys) {
  static const std::regex unknown(R"(unknown key "zzqx_probe" (in (\[.*\])|at the top level), expected one of (.*)$)");
  bool found = false;
  for (const auto& problem : fx.problems(text)) {
    std::smatch match;
    if (!std::regex_search(problem, match, unknown)) continue;
    found = true;
    const std::string table = match[2].matched ? section_name(match[2]) : "Top level";
    std::stringstream list(match[3]);
    for (std::string key; std::getline(list, key, ',');) keys[table].insert(key.substr(key.find_first_not_of(' ')));
  }
  INFO(text);
  REQUIRE(found);
}

// Every table, and the variants of a table whose keys differ.
KeysByTable keys_the_loader_accepts() {
  ConfigFixture fx;
  const std::string sim(kMinimalConfig);
  const std::string gpiod(kMinimalGpiodConfig);
  const auto after = [](const std::string& text, std::string_view line) {
    return replaced(text, line, std::string(line) + kProbeLine);
  };
  KeysByTable keys;
  add_known_keys(fx, kProbeLine + sim, keys);
  for (const auto* header : {"[tokens]\n", "[io]\n", "[io.sim]\n", "[tracking]\n", "[database]\n", "[payments]\n"}) {
    add_known_keys(fx, after(sim, header), keys);
  }
  add_known_keys(fx, after(sim, "kind = \"entry\"\n"), keys);
  add_known_keys(fx, after(sim, "kind = \"exit\"\n"), keys);
  for (const auto* table :
       {"entry", "offline", "payments.offline_limits", "terminal", "control", "metrics", "status_page", "logging", "store"}) {
    add_known_keys(fx, sim + "\n[" + table + "]\n" + kProbeLine, keys);
  }
  add_known_keys(fx, after(gpiod, "[io.gpiod]\n"), keys);
  const std::string probe_in_line = ", " + std::string(kProbe) + " = 1 }";
  for (const auto* line : {"\"lane1.beam_inner\" = { offset = 1 }", "\"lane1.led_red\" = { offset = 5 }",
                           "\"lane1.release_out\" = { offset = 3 }",
                           "\"fire_alarm\" = { offset = 20, active_low = true, bias = \"pull-down\" }"}) {
    std::string entry(line);
    add_known_keys(fx, replaced(gpiod, entry, entry.substr(0, entry.size() - 2) + probe_in_line), keys);
  }
  add_known_keys(fx, gpiod + kProbeLine, keys);  // the serial scanner, the file's last table
  add_known_keys(fx, replaced(gpiod, "type = \"serial\"\ndevice = \"/dev/ttyACM0\"\n",
                              "type = \"hid_pos\"\nusb_id = \"0c2e:0b61\"\n" + kProbeLine),
                 keys);
  return keys;
}

// The manual's sections ("## [tokens]", "## Top level") and the keys defined in each, as
// "*key* (type, ...)" at the start of a line.
KeysByTable keys_the_manual_documents() {
  std::ifstream in(std::string(PASSGATE_SOURCE_DIR) + "/docs/man/passgate.toml.5.scd");
  REQUIRE(in);
  static const std::regex definition(R"(^\*([a-z0-9_]+)\* \()");
  KeysByTable keys;
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) {
      section = line.starts_with("## ") ? line.substr(3) : "";
      if (!section.empty()) keys[section];
      continue;
    }
    std::smatch match;
    if (!section.empty() && std::regex_search(line, match, definition)) keys[section].insert(match[1]);
  }
  return keys;
}

// A key that is itself a table ("tokens" at the top level, "sim" in [io]) is documented by
// its own section.
bool is_table_of(const std::string& section, const std::string& key, const KeysByTable& manual) {
  const std::string prefix = section == "Top level" ? "" : section.substr(1, section.size() - 2) + ".";
  return manual.contains("[" + prefix + key + "]") || manual.contains("[[" + prefix + key + "]]");
}

}  // namespace

TEST_CASE("passgate.toml(5) documents every key the config loader accepts, in its table's section") {
  const auto accepted = keys_the_loader_accepts();
  const auto manual = keys_the_manual_documents();
  REQUIRE(accepted.size() >= 17);
  for (const auto& [table, keys] : accepted) {
    INFO("table " << table);
    REQUIRE(manual.contains(table));
    for (const auto& key : keys) {
      INFO("key " << key);
      CHECK((manual.at(table).contains(key) || is_table_of(table, key, manual)));
    }
  }
}

TEST_CASE("passgate.toml(5) documents no table or key the config loader does not accept") {
  const auto accepted = keys_the_loader_accepts();
  for (const auto& [section, keys] : keys_the_manual_documents()) {
    INFO("section " << section);
    CHECK(accepted.contains(section));
    if (!accepted.contains(section)) continue;
    for (const auto& key : keys) {
      INFO("key " << key);
      CHECK(accepted.at(section).contains(key));
    }
  }
}
