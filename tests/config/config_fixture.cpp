#include "tests/config/config_fixture.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include "crypto/payment_sealer.hpp"

namespace passgate::test {

const std::string_view kMinimalGpiodConfig = R"(store_id = "store-0042"
gate_id = "gate-a"

[tokens]
issuer = "https://app.example-retail.com"
keyset = "keys.jwks.json"

[[lanes]]
number = 1
kind = "entry"

[[lanes]]
number = 2
kind = "exit"

[io]
backend = "gpiod"

[io.gpiod]
chip = "gpiochip0"

[io.gpiod.lines]
"lane1.beam_outer" = { offset = 0, debounce_ms = 15 }
"lane1.beam_inner" = { offset = 1 }
"lane1.release_in" = { offset = 2 }
"lane1.release_out" = { offset = 3 }
"lane1.led_green" = { offset = 4 }
"lane1.led_red" = { offset = 5 }
"lane1.buzzer" = { offset = 6 }
"lane2.beam_outer" = { offset = 10 }
"lane2.beam_inner" = { offset = 11 }
"lane2.release_out" = { offset = 12 }
"lane2.release_in" = { offset = 13 }
"lane2.led_green" = { offset = 14 }
"lane2.led_red" = { offset = 15 }
"lane2.buzzer" = { offset = 16 }
"fire_alarm" = { offset = 20, active_low = true, bias = "pull-down" }

[tracking]
base_url = "http://127.0.0.1:8080"

[database]
path = "db/passgate.db"

[payments]
api_key_file = "gateway.key"
seal_key_file = "seal.key"

[io.scanners."lane1.entry"]
type = "serial"
device = "/dev/ttyACM0"
)";

ConfigFixture::ConfigFixture() {
  create_file("keys.jwks.json");
  std::filesystem::create_directory(dir() / "db");
  write_gate_secrets(dir());
}

void ConfigFixture::create_file(const std::string& relative) const {
  const auto path = dir() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "test\n";
}

void ConfigFixture::create_secret(const std::string& relative, const std::string& content,
                                  std::filesystem::perms mode) const {
  const auto path = dir() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  std::filesystem::permissions(path, mode, std::filesystem::perm_options::replace);
}

controller::ConfigLoad ConfigFixture::parse(std::string_view text) const { return controller::parse_config(text, file()); }

std::vector<std::string> ConfigFixture::problems(std::string_view text) const {
  const auto load = parse(text);
  CHECK(load.config.has_value() == load.problems.empty());
  const std::string prefix = dir().string() + "/";
  std::vector<std::string> out;
  for (const auto& problem : load.problems) {
    std::string line = controller::format_problem(problem);
    for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix, at)) line.erase(at, prefix.size());
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace passgate::test
