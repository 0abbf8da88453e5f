#include "db/statement_cache.hpp"

namespace passgate::db {

CachedStatement StatementCache::get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string text(sql);
    SQLite::Statement prepared(sql_, text);
    it = statements_.emplace(std::move(text), std::move(prepared)).first;
  } else {
    it->second.clearBindings();
  }
  return CachedStatement(it->second);
}

}  // namespace passgate::db
