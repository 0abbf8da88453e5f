// FileSpace: keeps the gate's database file from growing without bound. The file uses
// incremental auto-vacuum: pages freed by deletes (retention, db/retention.hpp; delivered
// outbox messages; purged token ids) stay in the file's free list, where SQLite reuses them,
// until reclaim_free_pages() hands them back to the file system a few at a time (PRAGMA
// incremental_vacuum), each step a short write of its own. A new file takes the mode before
// its first table; a file made before this build is switched once, at open, by a VACUUM
// (it rewrites the whole file: 2 s for 56 MB of sessions on the development VM's disk,
// several times that on a gate's SD card or eMMC), but only while its data is small enough
// to be rewritten well within systemd's start time-out (kSwitchAtOpenMaxBytes). A larger
// one keeps its size (freed pages are still reused, so it stops growing) and is switched at
// a later start, once retention has made it small enough, or by hand (docs/operations.md,
// "Retention and the database's size").
// The VACUUM is tried at most once by itself: before it starts, a synced commit records the
// attempt (gate_status "database_vacuum_attempt"), removed once it has finished or failed. A
// start stopped during it (systemd's start time-out, a power cut) leaves the record, and every
// later open goes on without the switch (event=database_vacuum_skipped reason=interrupted)
// instead of starting the VACUUM over at every restart; the switch is then done by hand.
// Single-threaded, like the Database it works on.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/result.hpp"
#include "db/database.hpp"

namespace SQLite { class Database; }

namespace passgate::db {

// The most data (pages in use) a file made before incremental auto-vacuum may hold to be
// switched by the VACUUM at open.
inline constexpr std::int64_t kSwitchAtOpenMaxBytes = 64LL * 1024 * 1024;

// The gate_status row that records a switch under way (its value: the data's size in bytes).
inline constexpr const char* kVacuumAttempt = "database_vacuum_attempt";

// For Database::open's connect(), on a fresh connection before anything else is written: asks
// for incremental auto-vacuum, which a new file takes at once. Throws SQLite::Exception if
// the connection cannot read its own pragmas.
void request_incremental_vacuum(SQLite::Database& sql);

// For Database::open once the schema is migrated (gate_status exists): asks for incremental
// auto-vacuum, and switches a file made before it by a VACUUM when its data is at most
// `max_bytes` and no earlier attempt was interrupted. Logs what it did (event=
// database_vacuum_started before the VACUUM, then database_vacuumed; or _deferred, _skipped,
// _failed). A VACUUM that fails (disk full, another connection busy) leaves the file as it
// was and is logged, and the next open tries again. Throws SQLite::Exception only if the
// connection cannot read its own pragmas or gate_status.
void use_incremental_vacuum(SQLite::Database& sql, const std::filesystem::path& file,
                            std::int64_t max_bytes = kSwitchAtOpenMaxBytes);

struct FilePages {
  std::int64_t page_size = 0;   // bytes
  std::int64_t pages = 0;       // the database's size in pages (the file follows at the WAL's next checkpoint)
  std::int64_t free_pages = 0;  // of those, unused
  bool incremental = false;     // auto_vacuum = INCREMENTAL: free pages can be handed back
  [[nodiscard]] std::int64_t bytes() const { return pages * page_size; }
  [[nodiscard]] std::int64_t free_bytes() const { return free_pages * page_size; }
};

[[nodiscard]] Result<FilePages> file_pages(Database& db);
// Hands back to the file system at most `max_pages` free pages, leaving at least `keep_free`
// for SQLite to reuse (the outbox and the queue grow and shrink all day). Nothing with a file
// that is not incremental. Returns the pages after it.
[[nodiscard]] Result<FilePages> reclaim_free_pages(Database& db, std::int64_t max_pages, std::int64_t keep_free);

}  // namespace passgate::db
