// The read-only control socket ([control] readonly_group, readonly_socket): its group may
// look (status, lanes, sessions, queue) but not act; and passgatectl, refused the
// operators' socket, looks through it.
#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/passgatectl/ctl_fixture.hpp"
#include "tests/passgatectl/raw_control.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;
using passgate::test::ask_raw;
using passgate::test::CtlFixture;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

std::string own_group() {
  const group* g = ::getgrgid(::getegid());
  REQUIRE(g != nullptr);
  return g->gr_name;
}

const std::string kReadOnlySocket = "control-ro.sock";

}  // namespace

TEST_CASE("the read-only socket answers status, lanes, sessions and queue and refuses every action") {
  CtlFixture gate(1s, "readonly_socket = \"" + kReadOnlySocket + "\"\nreadonly_group = \"" + own_group() + "\"\n");
  gate.start_gate();
  const auto socket = gate.dir() / kReadOnlySocket;
  struct stat st {};
  REQUIRE(::stat(socket.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  CHECK(st.st_gid == ::getegid());
  for (const char* look : {R"({"cmd":"status"})", R"({"cmd":"lanes"})", R"({"cmd":"sessions"})", R"({"cmd":"queue"})"}) {
    INFO(look);
    CHECK(ask_raw(socket, look).at("ok") == true);
  }
  for (const char* act : {R"({"cmd":"lane.service","lane":1,"in_service":false})", R"({"cmd":"queue.retry","id":1})",
                          R"({"cmd":"queue.write_off","id":1,"reason":"x"})", R"({"cmd":"reload"})",
                          R"({"cmd":"sessions.cancel","session_id":"s-1","reason":"x"})",
                          R"({"cmd":"hw.pulse","line":"lane1.buzzer","ms":100})", R"({"cmd":"hw.inputs"})"}) {
    INFO(act);
    const auto reply = ask_raw(socket, act);
    CHECK(reply.at("ok") == false);
    CHECK(reply.at("error").at("code") == "read_only");
    CHECK_THAT(reply.at("error").at("message").get<std::string>(), Contains("read-only control socket"));
  }
  const json lanes = ask_raw(socket, R"({"cmd":"lanes"})");
  for (const auto& lane : lanes.at("lanes")) CHECK(lane.at("in_service") == true);
  CHECK(gate.gated().wait_for_output("event=control_read_only_refused cmd=lane.service", passgate::test::kGateLimit));
}

TEST_CASE("passgatectl refused the operators' socket looks through the read-only one, and cannot act") {
  if (::geteuid() != 0) {
    WARN("not run: it needs root to run passgatectl as another user");
    return;
  }
  // Members of nogroup may look; the operators' socket stays root's (mode 0660, group root).
  CtlFixture gate(1s, "readonly_socket = \"" + kReadOnlySocket + "\"\nreadonly_group = \"nogroup\"\n");
  gate.start_gate();
  fs::permissions(gate.dir(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  const auto as_nobody = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--reuid=65534", "--regid=65534", "--clear-groups", PASSGATECTL});
    args.push_back("--config");
    args.push_back(gate.config_file());
    return CtlFixture::run(args, "/usr/bin/setpriv");
  };
  const auto look = as_nobody({"lanes", "--json"});
  INFO(look.output);
  CHECK(look.exit_code == 0);
  CHECK_THAT(look.output, Contains("\"lanes\""));
  const auto act = as_nobody({"lane", "1", "out-of-service"});
  INFO(act.output);
  CHECK(act.exit_code == 3);  // cannot reach the gate (exit_codes.hpp)
  CHECK_THAT(act.output, Contains("permission denied on the control socket"));
}
