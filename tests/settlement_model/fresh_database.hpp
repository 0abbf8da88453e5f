// copy_fresh_database: puts an empty gate database, already migrated, at `file`. Migrating a
// new file costs about a dozen fsyncs, which on a disk dominate a generated day's run time, so
// one file is migrated per test process and each day starts from a copy of it.
#pragma once

#include <filesystem>

namespace passgate::model {

void copy_fresh_database(const std::filesystem::path& file);

}  // namespace passgate::model
