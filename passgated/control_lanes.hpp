// The lanes' control commands:
//   lanes                         every lane's state, service, scanner and alarms
//   lane.service {lane, in_service, operator, reason}
//                                 a lane out of service or back (logged with the operator)
// lane_json is also status's view of a lane; fire_alarm_cause_json what status, lanes and hw
// inputs say of the fire alarm's cause.
#pragma once

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "controller/lanes/gate.hpp"
#include "drivers/control_server.hpp"

namespace passgate::daemon {

[[nodiscard]] nlohmann::json lane_json(const controller::LaneStatus& lane);
[[nodiscard]] nlohmann::json lanes_reply(const controller::Gate& gate);
// {"code", "text"} while the fire alarm is active (controller::FireAlarmCause), null otherwise.
[[nodiscard]] nlohmann::json fire_alarm_cause_json(const controller::Gate& gate);
// The request's "lane" (integer_argument in kLaneRange).
[[nodiscard]] Result<int> lane_argument(const nlohmann::json& request);
// `lane` (the request's lane_argument) out of service or back, as the request says.
[[nodiscard]] nlohmann::json set_service(controller::Gate& gate, int lane, const nlohmann::json& request,
                                         const drivers::ControlPeer& peer);

}  // namespace passgate::daemon
