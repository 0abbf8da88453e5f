#include "common/journal_entry.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "common/log_fields.hpp"

namespace passgate {

namespace {

// Fields journald gives a meaning (systemd.journal-fields(7)): never set from a message's keys.
constexpr std::array<std::string_view, 18> kReserved{
    "MESSAGE",         "MESSAGE_ID",        "PRIORITY",   "CODE_FILE",  "CODE_LINE",        "CODE_FUNC",
    "ERRNO",           "TID",               "UNIT",       "USER_UNIT",  "INVOCATION_ID",    "USER_INVOCATION_ID",
    "DOCUMENTATION",   "SYSLOG_FACILITY",   "SYSLOG_PID", "SYSLOG_RAW", "SYSLOG_TIMESTAMP", "SYSLOG_IDENTIFIER"};

int priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;
    case spdlog::level::info: return 6;
    case spdlog::level::warn: return 4;
    case spdlog::level::err: return 3;
    case spdlog::level::critical: return 2;
    case spdlog::level::off:
    case spdlog::level::n_levels: break;
  }
  return 6;
}

// The journal field for a log key: upper case, at most 64 characters, starting with a letter.
std::string field_name(const std::string& key) {
  std::string name(key);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.empty() || name.size() > 64 || std::isupper(static_cast<unsigned char>(name[0])) == 0) return {};
  if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end()) return {};
  return name;
}

}  // namespace

std::vector<std::string> journal_entry(spdlog::level::level_enum level, std::string_view message,
                                       std::string_view identifier) {
  std::vector<std::string> entry;
  entry.push_back("MESSAGE=" + std::string(message));
  entry.push_back("PRIORITY=" + std::to_string(priority(level)));
  entry.push_back("SYSLOG_IDENTIFIER=" + std::string(identifier));
  for (const LogField& field : parse_log_fields(message)) {
    if (const std::string name = field_name(field.key); !name.empty()) entry.push_back(name + "=" + field.value);
  }
  return entry;
}

bool is_journal_stream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  const std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == journal_stream;
}

}  // namespace passgate
