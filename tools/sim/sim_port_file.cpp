#include "tools/sim/sim_port_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

namespace passgate::sim {

Status write_port_file(const std::filesystem::path& file, std::uint16_t port, std::uint16_t control_port) {
  const std::filesystem::path partial = file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << nlohmann::json{{"port", port}, {"control_port", control_port}}.dump() << '\n';
    if (!out.flush()) return make_error("io_error", "cannot write port file " + partial.string());
  }
  std::error_code ec;
  std::filesystem::rename(partial, file, ec);
  if (ec) {
    return make_error("io_error", "cannot rename " + partial.string() + " to " + file.string() + ": " + ec.message());
  }
  return {};
}

}  // namespace passgate::sim
