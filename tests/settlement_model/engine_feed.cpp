// EngineFeed (engine_feed.hpp): pages of the published carts after the gate's cursor.
#include "tests/settlement_model/engine_feed.hpp"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

namespace passgate::model {

namespace {

// The value of query parameter `name` in `target`, "" when absent.
std::string query_value(const std::string& target, const std::string& name) {
  const auto query = target.find('?');
  if (query == std::string::npos) return {};
  const std::string key = name + "=";
  for (std::size_t at = query + 1; at < target.size();) {
    const auto end = std::min(target.find('&', at), target.size());
    if (target.compare(at, key.size(), key) == 0) return target.substr(at + key.size(), end - at - key.size());
    at = end + 1;
  }
  return {};
}

// How many carts a cursor says were delivered.
std::size_t delivered(const std::string& cursor) {
  return cursor.size() > 1 && cursor[0] == 'c' ? std::stoul(cursor.substr(1)) : 0;
}

nlohmann::json cart_json(const PublishedCart& cart) {
  return {{"session_id", cart.session_id},
          {"state", "final"},
          {"currency", "USD"},
          {"total_minor", cart.total_minor},
          {"items", nlohmann::json::array()},
          {"finalized_at", "2026-11-21T18:21:40.002Z"}};
}

}  // namespace

void EngineFeed::post_json(const std::string&, const std::string&, Millis, Callback done) {
  vt_.post([done = std::move(done)] { done(passgate::HttpReply{404, "", "not served by the model's engine"}); });
}

void EngineFeed::get(const std::string& target, Millis, Callback done) {
  const auto& feed = shop_.feed();
  const std::size_t from = std::min(delivered(query_value(target, "after")), feed.size());
  const std::string limit_text = query_value(target, "limit");
  const std::size_t limit = limit_text.empty() ? 100 : std::stoul(limit_text);
  const std::size_t to = std::min(feed.size(), from + limit);
  nlohmann::json page{{"carts", nlohmann::json::array()}, {"next_cursor", "c" + std::to_string(to)}};
  for (std::size_t i = from; i < to; ++i) page["carts"].push_back(cart_json(feed[i]));
  vt_.post([done = std::move(done), body = page.dump()] { done(passgate::HttpReply{200, body, ""}); });
}

bool EngineFeed::read_to_end(const std::optional<std::string>& cursor) const {
  return shop_.feed().empty() || (cursor && delivered(*cursor) >= shop_.feed().size());
}

}  // namespace passgate::model
