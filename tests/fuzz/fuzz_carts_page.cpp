// libFuzzer target: arbitrary bytes as a page of the tracking engine's final-carts feed
// through parse_carts_page, as CartsFeed reads it. Besides crashes and sanitizer reports, it
// aborts when a promise breaks: a refused page is "bad_feed"; a read page has a cursor after
// carts; every cart to settle is in the gate's currency with a total from 0 to the bound and a
// session id; every quarantined cart has a reason and its JSON, which the store keeps within
// the bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/settlement/carts_page.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace controller = passgate::controller;
  namespace db = passgate::db;
  const controller::CartLimits limits{"USD", 10'000'000};
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto page = controller::parse_carts_page(body, limits);
  if (!page) {
    if (page.error().code != "bad_feed" || page.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!(page->carts.empty() && page->quarantined.empty()) && page->next_cursor.empty()) __builtin_trap();
  for (const db::FinalCart& cart : page->carts) {
    if (cart.currency != limits.currency || cart.total_minor < 0 || cart.total_minor > limits.max_cart_minor ||
        cart.session_id.empty() || cart.session_id.size() > 128 || cart.finalized_at.empty())
      __builtin_trap();
  }
  for (const db::QuarantinedCart& cart : page->quarantined) {
    // The note after a cut raw text ("... (N bytes)") is at most 30 bytes.
    if (cart.detail.empty() || cart.raw.empty() || db::bounded_raw(cart.raw).size() > db::kRawCartBytes + 30 ||
        cart.session_id.size() > 128)
      __builtin_trap();
  }
  return 0;
}
