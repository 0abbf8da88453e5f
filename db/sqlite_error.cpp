#include "db/sqlite_error.hpp"

#include <sqlite3.h>

namespace passgate::db {

namespace {

std::string_view code_for(int result_code) {
  switch (result_code & 0xff) {  // extended codes carry the primary code in the low byte
    case SQLITE_FULL: return "disk_full";
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return "db_busy";
    default: return "db_error";
  }
}

}  // namespace

Error sqlite_error(std::string_view context, int result_code, std::string_view sqlite_message) {
  std::string message(context);
  message += ": ";
  message += sqlite_message;
  return make_error(std::string(code_for(result_code)), std::move(message));
}

}  // namespace passgate::db
