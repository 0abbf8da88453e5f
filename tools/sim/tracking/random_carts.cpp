#include "tools/sim/tracking/random_carts.hpp"

#include <array>
#include <numeric>
#include <random>

namespace passgate::sim {
namespace {

constexpr std::array<CatalogueProduct, 8> kCatalogue{{
    {"012345", "Cold brew", 399},
    {"020001", "Sandwich", 649},
    {"030017", "Apple", 85},
    {"040210", "Crisps", 199},
    {"050003", "Chocolate bar", 150},
    {"060044", "Sparkling water", 129},
    {"070008", "Salad bowl", 899},
    {"080112", "Granola", 449},
}};

constexpr std::uint64_t kEmptyOneIn = 5;
constexpr std::uint64_t kMaxLines = 4;
constexpr std::uint64_t kMaxQty = 3;

// FNV-1a: a stable hash of the shopper id (std::hash is not the same everywhere).
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// SplitMix64's finalizer: spreads the bits of a combined key before it seeds the generator.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

std::span<const CatalogueProduct> cart_catalogue() { return kCatalogue; }

std::vector<CartItem> random_cart(std::uint64_t seed, std::string_view shopper, std::uint64_t ordinal) {
  std::mt19937_64 rng(mix(mix(seed ^ fnv1a(shopper)) + ordinal));
  if (rng() % kEmptyOneIn == 0) return {};
  // Distinct products: the first `lines` of a partial Fisher-Yates shuffle.
  std::array<std::size_t, kCatalogue.size()> order{};
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t lines = 1 + static_cast<std::size_t>(rng() % kMaxLines);
  std::vector<CartItem> items;
  for (std::size_t i = 0; i < lines; ++i) {
    std::swap(order[i], order[i + static_cast<std::size_t>(rng() % (order.size() - i))]);
    const CatalogueProduct& p = kCatalogue[order[i]];
    items.push_back(CartItem{std::string(p.sku), std::string(p.name), static_cast<std::int64_t>(1 + rng() % kMaxQty),
                             p.unit_minor});
  }
  return items;
}

std::vector<CartItem> RandomCarts::next_for(const std::string& shopper) {
  return random_cart(seed_, shopper, carts_per_shopper_[shopper]++);
}

}  // namespace passgate::sim
