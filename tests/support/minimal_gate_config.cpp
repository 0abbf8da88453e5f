#include "tests/support/minimal_gate_config.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "crypto/payment_sealer.hpp"

namespace passgate::test {

namespace {

void write_secret(const std::filesystem::path& file, const std::string& content) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
}

}  // namespace

std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string_view::npos);
  REQUIRE(text.find(from, at + 1) == std::string_view::npos);
  std::string out(text);
  out.replace(at, from.size(), to);
  return out;
}

std::string minimal_gate_config(std::string_view backend_url, std::string_view extra) {
  const std::string quoted = "\"" + std::string(backend_url) + "\"";
  std::string config = replaced(kMinimalGateConfig, "\"http://127.0.0.1:8080\"", quoted);
  config = replaced(config, "[payments]\n", "[payments]\ngateway_url = " + quoted + "\n");
  return config.append("\n").append(extra);
}

void write_gate_secrets(const std::filesystem::path& dir) {
  write_secret(dir / "gateway.key", "sk_test_gate\n");
  write_secret(dir / "seal.key", std::string(crypto::kSealKeyBytes, 's'));
}

}  // namespace passgate::test
