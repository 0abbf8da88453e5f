// GateStatus: small named values the daemon keeps in its database: what it publishes for
// operators (e.g. whether the payment gateway answered its last request, read by
// `passgatectl status`), and the wall clock's high-water mark (controller/
// wall_clock_watch.hpp), which only ever makes the payment drainer more careful.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "db/database.hpp"

namespace passgate::db {

struct GateStatusValue {
  std::string value;
  std::int64_t updated_at_ms = 0;
};

class GateStatus {
 public:
  explicit GateStatus(Database& db) : db_(db) {}
  [[nodiscard]] Status set(const std::string& name, const std::string& value, std::int64_t now_ms);
  [[nodiscard]] Result<std::optional<GateStatusValue>> get(const std::string& name);

 private:
  Database& db_;
};

}  // namespace passgate::db
