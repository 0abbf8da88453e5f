// The reference model's bookkeeping (shop_model.hpp).
#include "tests/settlement_model/shop_model.hpp"

namespace passgate::model {

ModelSession* ShopModel::add_session(int number, std::int64_t hold_minor, Card card, Engine engine) {
  if (sessions_.count(number) > 0) return nullptr;
  ModelSession& session = sessions_[number];
  session.id = "s" + std::to_string(number);
  session.hold_minor = hold_minor;
  session.card = card;
  session.engine = engine;
  return &session;
}

ModelSession* ShopModel::add_card_session(int number, std::int64_t hold_minor, const CardTap& tap) {
  ModelSession* session = add_session(number, hold_minor, Card::visa, Engine::admits);
  if (session) session->tap = tap;
  return session;
}

ModelSession* ShopModel::find(int number) {
  const auto it = sessions_.find(number);
  return it == sessions_.end() ? nullptr : &it->second;
}

ModelSession* ShopModel::find(const std::string& session_id) {
  for (auto& [number, session] : sessions_)
    if (session.id == session_id) return &session;
  return nullptr;
}

void ShopModel::publish_cart(ModelSession& session, std::int64_t total_minor) {
  if (!session.first_cart) session.first_cart = total_minor;
  feed_.push_back(PublishedCart{session.id, total_minor});
}

void ShopModel::cancel_admitting() {
  for (auto& [number, session] : sessions_)
    if (session.fate == Fate::admitting) session.fate = Fate::cancelled;
}

std::int64_t ShopModel::collectable(const ModelSession& session) {
  if (session.fate != Fate::open || !session.first_cart) return 0;
  if (session.operator_total) return *session.operator_total;
  return *session.first_cart > kMaxCartMinor ? 0 : *session.first_cart;
}

bool ShopModel::ended(const ModelSession& session) {
  return session.fate == Fate::denied || session.fate == Fate::cancelled || session.first_cart.has_value();
}

}  // namespace passgate::model
