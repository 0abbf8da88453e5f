// RigClient: a blocking client of the gate's rig socket (docs/interfaces/rig-protocol.md) for the
// latency benchmarks, which time the gate as a rig sees it. It remembers the last level the
// gate reported for every output line, so a wait for a level already reached returns at once,
// and gives up (throws) when the gate does not answer within a deadline.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/posix.hpp"

namespace passgate::bench {

class RigClient {
 public:
  // Connects to the gate's rig socket. Throws std::runtime_error if it cannot.
  explicit RigClient(const std::string& socket_path);

  void input(const std::string& line, bool active);
  void scan(const std::string& scanner, const std::string& data);
  // Reads the gate's messages until output `line` is at `level`. Throws if that takes longer
  // than `deadline` (naming the last display text of the lanes, e.g. a denial).
  void wait_output(const std::string& line, bool level, std::chrono::milliseconds deadline = std::chrono::seconds(30));

  // A person walking into the store through lane `lane` ("lane1"): outer beam, both, inner
  // beam, neither (docs/interfaces/rig-protocol.md#line-names).
  void walk_in(const std::string& lane);
  // Before the first shopper of entry lane `lane` ("lane1"): nobody in its beams, and its
  // barrier reported closed (release_in 0).
  void clear_entry_lane(const std::string& lane);

  // For a client driving several lanes at once: the next change of an output line the gate
  // reports, or none when nothing comes before `until`.
  struct OutputChange {
    std::string line;
    bool level = false;
  };
  std::optional<OutputChange> next_output(std::chrono::steady_clock::time_point until);

 private:
  void send(const nlohmann::json& message);
  // The next message, or none when none comes before `until`.
  std::optional<nlohmann::json> next(std::chrono::steady_clock::time_point until);
  // Remembers what message `m` says (an output's level, a display text); throws on an error
  // message. The output line it changed, if it is an `out` message.
  std::optional<OutputChange> take(const nlohmann::json& m);

  UniqueFd fd_;
  std::string buffer_;
  std::map<std::string, bool> outputs_;
  std::string last_display_;
};

}  // namespace passgate::bench
