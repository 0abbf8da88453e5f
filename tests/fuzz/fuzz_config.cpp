// libFuzzer target: arbitrary bytes as the TOML text of a gate config through parse_config,
// the loader passgated and passgatectl check-config use. Paths the text names are resolved
// against a directory that does not exist and only ever stat()ed (never opened, created or
// written), so the file system is left as it is. Besides crashes and sanitizer reports, it
// aborts when the loader breaks what ConfigLoad promises: a config exactly when there is no
// problem, and every problem with a message.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto load = passgate::controller::parse_config(text, "/nonexistent/passgate-fuzz/gate.toml");
  if (load.config.has_value() == !load.problems.empty()) __builtin_trap();
  for (const auto& problem : load.problems) {
    if (problem.message.empty()) __builtin_trap();
  }
  return 0;
}
