#include "controller/admission/anti_passback.hpp"

namespace passgate::controller {

PassbackVerdict anti_passback_verdict(AntiPassback mode, bool other_session_open) {
  if (!anti_passback_checks(mode) || !other_session_open) return PassbackVerdict::pass;
  return mode == AntiPassback::soft ? PassbackVerdict::overridden : PassbackVerdict::refuse;
}

}  // namespace passgate::controller
