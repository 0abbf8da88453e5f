// SessionLeaveOut: the sessions a settlement run left out because their own row failed (a
// constraint, a trigger, a payment reference that does not open: not the whole database), each
// for a wait, so the sessions after them are planned meanwhile: candidates are read oldest
// first, so such a session would be tried first, and often alone, in every run, and a batch of
// them would starve every newer session. One per SettlementPlanner, shared by its app and card
// parts. Single-threaded, on the event loop.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/clock.hpp"

namespace passgate::controller {

class SessionLeaveOut {
 public:
  SessionLeaveOut(Clock& clock, Millis wait) : clock_(clock), wait_(wait) {}

  // A run begins: sessions whose wait is over are tried again.
  void begin_run();
  // `session_id` failed for its own row: left out for the wait.
  void failed(const std::string& session_id);
  [[nodiscard]] bool left_out(const std::string& session_id) const { return until_.count(session_id) > 0; }
  // How many more candidates to read so that a batch is full without the ones left out.
  [[nodiscard]] int size() const { return static_cast<int>(until_.size()); }
  // Whether a session was left out since the run began (the sessions after it may not have
  // been tried: another run is due).
  [[nodiscard]] bool added() const { return added_; }
  // Drops the sessions left out from `ids` (as `id_of` names each) and keeps at most `batch`;
  // whether the batch is full.
  template <class T, class IdOf>
  bool keep_batch(std::vector<T>& ids, int batch, IdOf id_of) const {
    std::erase_if(ids, [&](const T& item) { return left_out(id_of(item)); });
    const bool full = static_cast<int>(ids.size()) >= batch;
    if (full) ids.resize(static_cast<std::size_t>(batch));
    return full;
  }

 private:
  Clock& clock_;
  Millis wait_;
  std::map<std::string, SteadyTime> until_;
  bool added_ = false;
};

}  // namespace passgate::controller
