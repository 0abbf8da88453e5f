#include "controller/lanes/ports.hpp"

namespace passgate::controller {

std::string_view to_string(PassageKind k) {
  switch (k) {
    case PassageKind::admitted: return "admitted";
    case PassageKind::exit: return "exit";
    case PassageKind::tailgate: return "tailgate";
    case PassageKind::forced: return "forced";
    case PassageKind::wrong_way: return "wrong_way";
  }
  return "unknown";
}

}  // namespace passgate::controller
