// [database] and [logging]: what the gate writes to local disk.
#include <array>
#include <string>

#include "controller/config/paths.hpp"
#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<std::string_view>, 5> kLevels{
    {{"trace", "trace"}, {"debug", "debug"}, {"info", "info"}, {"warn", "warn"}, {"error", "error"}}};

// Days of retention: at least a week (a long weekend's outage of the carts feed or the gateway
// is settled well within it), at most ten years.
constexpr IntRange kRetentionDays{7, 3650};

// retention_days and audit_retention_days: the audit log is kept at least as long as the
// records it speaks of. A conflict is reported at the audit key if the file sets it, else at
// retention_days (above the audit log's default).
void read_retention(TableReader& database, RetentionConfig& out) {
  const auto days = database.integer("retention_days", kRetentionDays, Presence::optional);
  const auto audit = database.integer("audit_retention_days", kRetentionDays, Presence::optional);
  if (days) out.retention_days = static_cast<int>(*days);
  if (audit) out.audit_retention_days = static_cast<int>(*audit);
  // One that is there but wrong is reported as such; comparing it would say more that is wrong.
  const bool unread = (!days && database.raw().contains("retention_days")) ||
                      (!audit && database.raw().contains("audit_retention_days"));
  if (unread || out.audit_retention_days >= out.retention_days) return;
  const std::string records = database.name_of("retention_days");
  const std::string kept = database.name_of("audit_retention_days");
  if (audit) {
    database.problem_at("audit_retention_days", kept + " is " + std::to_string(*audit) + ", less than " + records +
                                                    " (" + std::to_string(out.retention_days) +
                                                    "), expected at least that: the audit log outlives the records "
                                                    "it speaks of");
  } else {
    database.problem_at("retention_days", records + " is " + std::to_string(out.retention_days) + ", more than " +
                                              kept + " (" + std::to_string(out.audit_retention_days) +
                                              " by default), expected at most that: set " + kept + " too");
  }
}

}  // namespace

void read_storage(TableReader& root, const std::filesystem::path& config_dir, GateConfig& config) {
  if (auto database = root.section("database", Presence::required, "a [database] table with path")) {
    if (auto path = read_path(*database, "path", {Presence::required, PathCheck::parent_dir_exists}, config_dir)) {
      config.database = std::move(*path);
    }
    read_retention(*database, config.retention);
    database->report_unknown_keys();
  }
  if (auto logging = root.section("logging", Presence::optional)) {
    if (auto level = logging->choice<std::string_view>("level", kLevels, Presence::optional)) {
      config.logging.level = std::string(*level);
    }
    const PathRules log_file{Presence::optional, PathCheck::parent_dir_exists, Empty::allowed};
    if (auto file = read_path(*logging, "file", log_file, config_dir)) config.logging.file = std::move(*file);
    logging->report_unknown_keys();
  }
}

}  // namespace passgate::controller
