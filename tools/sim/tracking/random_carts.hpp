// RandomCarts: made-up carts for the tracking simulator's auto-finalize (what the cameras
// "saw" a shopper take), drawn from a small catalogue: about 1 cart in 5 is empty, the
// others hold 1-4 different products, 1-3 of each. A cart depends only on the seed, the
// shopper and how many carts that shopper had before, so a run is repeatable whatever order
// the sessions end in, on every platform (mt19937_64 and plain arithmetic, no standard
// distributions). Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tools/sim/tracking/engine.hpp"

namespace passgate::sim {

struct CatalogueProduct {
  std::string_view sku;
  std::string_view name;
  std::int64_t unit_minor = 0;
};

// The products random carts are made of.
[[nodiscard]] std::span<const CatalogueProduct> cart_catalogue();

// The `ordinal`-th cart (0-based) of `shopper` for `seed`.
[[nodiscard]] std::vector<CartItem> random_cart(std::uint64_t seed, std::string_view shopper, std::uint64_t ordinal);

class RandomCarts {
 public:
  explicit RandomCarts(std::uint64_t seed) : seed_(seed) {}

  // random_cart() for `shopper`'s next cart.
  [[nodiscard]] std::vector<CartItem> next_for(const std::string& shopper);

 private:
  std::uint64_t seed_;
  std::map<std::string, std::uint64_t> carts_per_shopper_;
};

}  // namespace passgate::sim
