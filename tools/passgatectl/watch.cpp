#include "tools/passgatectl/watch.hpp"

#include "tools/passgatectl/exit_codes.hpp"
#include "tools/passgatectl/gate_connection.hpp"

namespace passgate::ctl {

int report_gate_gone(const Error& error) {
  if (error.code == "gate_busy") {
    return report_failure(make_error(error.code, "the gate went away while watching: it closed the control "
                                                 "connection (passgated stopped or restarted; systemctl status "
                                                 "passgated)"));
  }
  return report_failure(make_error(error.code, "the gate went away while watching: " + error.message));
}

}  // namespace passgate::ctl
