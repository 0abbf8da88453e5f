// [entry]: admission rules common to every entry lane (anti-passback).
#include <array>

#include "controller/config/sections.hpp"

namespace passgate::controller {
namespace {

constexpr std::array<Choice<AntiPassback>, 3> kAntiPassback{
    {{"off", AntiPassback::off}, {"soft", AntiPassback::soft}, {"hard", AntiPassback::hard}}};

}  // namespace

void read_entry(TableReader& root, EntryConfig& entry) {
  auto section = root.section("entry", Presence::optional);
  if (!section) return;
  if (auto mode = section->choice<AntiPassback>("anti_passback", kAntiPassback, Presence::optional)) {
    entry.anti_passback = *mode;
  }
  section->report_unknown_keys();
}

}  // namespace passgate::controller
