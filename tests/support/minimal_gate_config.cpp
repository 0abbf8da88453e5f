#include "tests/support/minimal_gate_config.hpp"

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

std::string minimal_gate_config(std::string_view backend_url, std::string_view extra) {
  std::string config(kMinimalGateConfig);
  const std::string quoted = "\"" + std::string(backend_url) + "\"";
  const std::string tracking = "base_url = \"http://127.0.0.1:8080\"";
  config.replace(config.find(tracking), tracking.size(), "base_url = " + quoted);
  const std::string payments = "[payments]\n";
  config.insert(config.find(payments) + payments.size(), "gateway_url = " + quoted + "\n");
  return config.append("\n").append(extra);
}

void write_gate_secrets(const std::filesystem::path& dir) {
  write_secret(dir / "gateway.key", "sk_test_gate\n");
  write_secret(dir / "seal.key", std::string(crypto::kSealKeyBytes, 's'));
}

}  // namespace passgate::test
