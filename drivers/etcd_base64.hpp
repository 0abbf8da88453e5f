// Standard base64 (RFC 4648 §4, with '=' padding), as etcd's JSON gateway carries keys and
// values. Decoding is strict (alphabet, padding, zero unused bits) so a peer's text has one
// meaning. Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace passgate::drivers {

[[nodiscard]] std::string encode_base64(std::string_view bytes);
// Error code "bad_answer" (the message names the first offending position).
[[nodiscard]] Result<std::string> decode_base64(std::string_view text);

}  // namespace passgate::drivers
