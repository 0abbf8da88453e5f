// RigWires: what the rig drives on the gate, at the level of the rig link protocol
// (docs/interfaces/rig-protocol.md): input line levels and raw scanner text. RigConnection sends them
// over the gate's socket; tests use a recording fake. Single-threaded, on the event loop.
#pragma once

#include <string>

namespace passgate::sim {

class RigWires {
 public:
  virtual ~RigWires() = default;
  // Sets an input line ("lane1.beam_outer", "fire_alarm"); 1 = active.
  virtual void set_input(const std::string& line, bool active) = 0;
  // A scanner ("lane1.entry") reads `text`, suffixes and prefixes included.
  virtual void scan(const std::string& scanner, const std::string& text) = 0;
};

}  // namespace passgate::sim
