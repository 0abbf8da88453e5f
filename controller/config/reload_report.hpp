// ReloadReport: what a configuration reload (SIGHUP or `passgatectl reload`) did. A file
// with problems changes no setting (the status page's users file is reloaded all the same, and
// reported in applied or not_applied); otherwise every setting that can change while the gate
// runs is applied, and the ones that changed but need a restart are named; a file the config
// names that cannot be used now (the status page's users file) is named with its problem, and
// what it held before stays in force.
#pragma once

#include <string>
#include <vector>

namespace passgate::controller {

struct ReloadReport {
  // False when nothing was applied: the config file has problems, or a key file could not be read.
  bool reloaded = false;
  // Why nothing was applied: config problems (file:line:column: message) or the key file error.
  std::vector<std::string> problems;
  // Settings that changed and are now in force, by config key ("tokens.keyset", "offline.policy").
  std::vector<std::string> applied;
  // Settings that changed in the file but take effect only after a restart ("io.backend").
  std::vector<std::string> needs_restart;
  // Files read on a reload that could not be applied, each with its problem (file:line: why);
  // what they held before is still in force ("status_page.users_file: /etc/...:2: ...").
  std::vector<std::string> not_applied;
};

}  // namespace passgate::controller
