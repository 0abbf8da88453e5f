// StatusViewers: the status page's event streams and their cap. A viewer counts from the
// moment its request is answered, not only once its stream is open: between the two the
// answer's head is still being written, one loop turn or more, and a batch of requests would
// otherwise each see room and all become streams. reserve() gives a slot, held until it is
// gone (the stream added, or its connection closed first). Each slot and stream is the login's
// that opened it, so that a user removed from the users file stops seeing the page at once
// (close_users): their streams close, and their slots are revoked, so that a stream whose head
// was still being written during the reload is closed when it opens instead of added.
// Single-threaded, on the event loop.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "drivers/http_listener.hpp"

namespace passgate::daemon {

class StatusViewers {
 public:
  explicit StatusViewers(std::size_t max) : max_(max) {}

  // A slot reserved for one more viewer, `user`'s ("" without a login).
  struct Slot {
    std::string user;
    bool revoked = false;  // the user was removed meanwhile (close_users)
  };
  // A slot for `user`, held while it lives; null when the open streams and the slots held fill
  // the cap.
  [[nodiscard]] std::shared_ptr<Slot> reserve(std::string user);
  // The stream that opened in `slot` (still held while this is called): added, or closed at
  // once when the slot was revoked; whether added.
  bool add(std::shared_ptr<drivers::EventStream> stream, const Slot& slot);
  // Closes the streams of these users and revokes their slots; how many streams.
  std::size_t close_users(const std::vector<std::string>& users);
  // Forgets the streams that closed; how many are open.
  std::size_t prune();
  // Queues `event` on every open stream.
  void send(const std::string& event);
  [[nodiscard]] std::size_t open() const { return streams_.size(); }
  [[nodiscard]] std::size_t taken();

 private:
  std::size_t max_;
  std::vector<std::weak_ptr<Slot>> slots_;  // at most max_: a slot is given only below the cap
  struct Viewer {
    std::shared_ptr<drivers::EventStream> stream;
    std::string user;
  };
  std::vector<Viewer> streams_;
};

}  // namespace passgate::daemon
