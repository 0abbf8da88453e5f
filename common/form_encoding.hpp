// application/x-www-form-urlencoded bodies and query strings (the payment gateway's request
// format, docs/interfaces/payment-gateway.md#transport): encoding of ordered name/value pairs, where nested keys
// are plain names such as "metadata[session_id]", and strict decoding.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace passgate {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes every byte except the RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~).
[[nodiscard]] std::string percent_encode(std::string_view text);
// "name=value&name=value", each part percent-encoded, in the given order.
[[nodiscard]] std::string form_encode(const FormFields& fields);
// The pairs of a form body or query string, in order; '+' decodes to a space. Error code
// "bad_form" naming the offset of a malformed percent escape or a part without '='.
[[nodiscard]] Result<FormFields> form_decode(std::string_view body);

}  // namespace passgate
