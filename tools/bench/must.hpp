// must(): unwraps a Result (or checks a Status) in a benchmark program, throwing
// std::runtime_error("what: message") on an error; the programs report it and exit 1.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "common/result.hpp"

namespace passgate::bench {

template <class R>
auto must(R result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error(what + ": " + result.error().message);
  if constexpr (!std::is_same_v<R, Status>) return std::move(result).value();
}

}  // namespace passgate::bench
