#include "controller/card_entry/card_session.hpp"

#include "common/time_format.hpp"
#include "db/card_attempt_store.hpp"

namespace passgate::controller {

db::SessionStore::NewSession card_session(const GateIdentity& gate, const std::string& session_id, int lane,
                                          const std::string& fingerprint_hash, WallTime now) {
  const SessionOpen open{session_id, lane, db::card_shopper(fingerprint_hash), "card:" + session_id, 1,
                         format_rfc3339_ms(now)};
  const std::string body = session_open_body(gate, open);
  db::SessionRecord record;
  record.session_id = session_id;
  record.token_id = open.token_id;
  record.token_expires_at = unix_millis(now) / 1000;
  record.lane = lane;
  record.shopper = open.shopper;
  record.group_size = 1;
  record.admitted_at = open.admitted_at;
  record.created_at_ms = unix_millis(now);
  record.open_request = body;
  return db::SessionStore::NewSession{std::move(record), open_message(session_id, body)};
}

}  // namespace passgate::controller
