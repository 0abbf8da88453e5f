// The smallest valid gate config (sim backend, one entry and one exit lane, loopback
// tracking engine) and the secret files it names, shared by the tests that need a config on
// disk. Relative paths resolve from the config's directory: keys.jwks.json, rig.sock,
// db/passgate.db, gateway.key, seal.key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace passgate::test {

inline constexpr std::string_view kMinimalGateConfig = R"(store_id = "store-0042"
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
backend = "sim"

[io.sim]
socket = "rig.sock"

[tracking]
base_url = "http://127.0.0.1:8080"

[database]
path = "db/passgate.db"

[payments]
api_key_file = "gateway.key"
seal_key_file = "seal.key"
)";

// `text` with its one occurrence of `from` replaced by `to`; fails the test unless `from`
// occurs exactly once.
[[nodiscard]] std::string replaced(std::string_view text, std::string_view from, std::string_view to);

// kMinimalGateConfig with the tracking engine and the payment gateway both at `backend_url`
// (e.g. a port that refuses connections) and `extra` (whole sections) appended.
[[nodiscard]] std::string minimal_gate_config(std::string_view backend_url, std::string_view extra = {});

// Writes gateway.key (an API key line) and seal.key (32 bytes) into `dir`, mode 0600, as
// passgated and check-config require of secret files.
void write_gate_secrets(const std::filesystem::path& dir);

}  // namespace passgate::test
