// EngineFeed: the tracking engine's final-carts feed (GET /v1/carts, docs/settlement.md) as
// a TrackingPort, serving the carts the reference model published, in order, after the
// cursor the gate sends ("c<N>": N carts delivered). Answers come on the virtual loop; ones
// still under way die with the gate process. Nothing else of the engine is served.
#pragma once

#include "common/virtual_time.hpp"
#include "ports/tracking_port.hpp"
#include "tests/settlement_model/shop_model.hpp"

namespace passgate::model {

class EngineFeed final : public passgate::TrackingPort {
 public:
  EngineFeed(const ShopModel& shop, VirtualTime& vt) : shop_(shop), vt_(vt) {}

  void post_json(const std::string& target, const std::string& body, Millis timeout, Callback done) override;
  void get(const std::string& target, Millis timeout, Callback done) override;

  // Whether the cursor `cursor` (as the gate stored it) is past every published cart.
  [[nodiscard]] bool read_to_end(const std::optional<std::string>& cursor) const;

 private:
  const ShopModel& shop_;
  VirtualTime& vt_;
};

}  // namespace passgate::model
