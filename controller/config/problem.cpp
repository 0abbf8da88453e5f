#include "controller/config/config.hpp"

namespace passgate::controller {

std::string format_problem(const ConfigProblem& p) {
  return p.file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message;
}

}  // namespace passgate::controller
