// copy_fresh_database (fresh_database.hpp): the migrated file is made once, in its own temp dir.
#include "tests/settlement_model/fresh_database.hpp"

#include <stdexcept>

#include "db/database.hpp"
#include "tests/support/temp_dir.hpp"

namespace passgate::model {

namespace {

// The migrated empty database, closed (so its WAL is checkpointed into the file).
const std::filesystem::path& migrated_template() {
  static const test::TempDir dir;
  static const std::filesystem::path file = [] {
    const std::filesystem::path made = dir / "template.db";
    auto opened = db::Database::open(made);
    if (!opened.ok()) throw std::runtime_error("cannot make the template database: " + opened.error().message);
    return made;
  }();
  return file;
}

}  // namespace

void copy_fresh_database(const std::filesystem::path& file) {
  std::filesystem::copy_file(migrated_template(), file, std::filesystem::copy_options::overwrite_existing);
}

}  // namespace passgate::model
