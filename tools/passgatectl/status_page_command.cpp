// passgatectl status-page add-user USER [--users-file FILE]: adds USER to the status page's
// users file (or sets a new password for USER), as a yescrypt crypt(3) hash
// (crypto/password_hash.hpp). The file is --users-file, else [status_page] users_file of the
// config; it is written atomically, keeping its mode (a new one: 0640, for root and the
// passgate group). The password is read from the terminal twice without echo, or as one line
// from standard input when that is not a terminal; it is never printed, logged or kept.
// passgated reads the file at start and on each reload: `passgatectl reload` (or systemctl
// reload passgated) applies it. A hash of the file that passgated would refuse (too costly, of
// another method) is refused here too, unless it is USER's, which this replaces.
#include <termios.h>
#include <unistd.h>

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <openssl/crypto.h>

#include "controller/config/config.hpp"
#include "crypto/password_hash.hpp"
#include "crypto/users_file.hpp"
#include "tools/passgatectl/atomic_file.hpp"
#include "tools/passgatectl/commands.hpp"
#include "tools/passgatectl/gate_connection.hpp"
#include "tools/passgatectl/usage_error.hpp"

namespace passgate::ctl {
namespace {

constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kMinPassword = 8;
constexpr mode_t kNewFileMode = 0640;

// Wipes a password when it goes.
struct Secret {
  Secret() = default;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  ~Secret() { OPENSSL_cleanse(text.data(), text.size()); }
  std::string text;
};

// Echo off on the terminal for as long as it lives.
class NoEcho {
 public:
  NoEcho() : on_(::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    if (!on_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    on_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (on_) (void)::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool on_ = false;
};

// One line of standard input (without its line break) into `out`; false at its end.
bool read_line(Secret& out) {
  out.text.clear();
  char c = 0;
  while (std::cin.get(c) && c != '\n') {
    if (out.text.size() >= kMaxPassword) return false;
    out.text += c;
  }
  if (!out.text.empty() && out.text.back() == '\r') out.text.pop_back();
  return c == '\n' || !out.text.empty();
}

Result<std::string> read_password(const std::string& user, Secret& password) {
  if (::isatty(STDIN_FILENO) == 1) {
    Secret again;
    {
      NoEcho quiet;
      std::cerr << "New status page password for " << user << ": " << std::flush;
      const bool first = read_line(password);
      std::cerr << "\nThe same again: " << std::flush;
      const bool second = read_line(again);
      std::cerr << '\n';
      if (!first || !second) return make_error("no_password", "no password was typed");
    }
    if (password.text != again.text) return make_error("no_password", "the two passwords differ; nothing changed");
  } else if (!read_line(password)) {
    return make_error("no_password", "no password on standard input (one line, at most " +
                                         std::to_string(kMaxPassword) + " bytes)");
  }
  if (password.text.size() < kMinPassword) {
    return make_error("weak_password", "the password is shorter than " + std::to_string(kMinPassword) +
                                           " characters; nothing changed");
  }
  return std::string();
}

int run_add_user(const std::string& user, const std::string& file) {
  std::string text;
  mode_t mode = kNewFileMode;
  struct stat st {};
  if (::stat(file.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    if (!in) return report_failure(make_error("io_error", file + ": cannot be read"));
    text = all.str();
    auto users = crypto::UsersFile::parse(text, file, {.allow_empty = true, .replacing = user});
    if (!users) return report_failure(make_error(users.error().code, users.error().message + "; nothing changed"));
  }
  Secret password;
  if (auto read = read_password(user, password); !read) return report_failure(read.error());
  auto hash = crypto::hash_password(password.text);
  if (!hash) return report_failure(hash.error());
  if (auto written = write_file_atomically(file, crypto::UsersFile::with_user(text, user, *hash), mode); !written) {
    return report_failure(written.error());
  }
  std::cout << "set the password of " << user << " in " << file
            << "; passgated takes it on its next reload (passgatectl reload, or systemctl reload passgated)\n";
  return kExitOk;
}

}  // namespace

void add_status_page_command(CLI::App& app, Cli& cli) {
  auto* command = app.add_subcommand("status-page", "the status page's users (docs/status-page.md)");
  command->require_subcommand(1);
  auto* add_user = command->add_subcommand(
      "add-user", "add a user of the status page, or set a new password (read without echo, stored as a crypt(3) hash)");
  auto user = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  add_user->add_option("USER", *user, "the user name (1 to 32 of A-Z a-z 0-9 . _ -)")->required();
  add_user->add_option("--users-file", *file, "the users file (default: [status_page] users_file of the config)")
      ->option_text("FILE");
  add_user->callback([user, file, &cli] {
    if (cli.json) throw UsageError("status-page add-user prints no JSON: --json does not apply");
    if (!crypto::is_user_name(*user)) {
      throw UsageError("status-page add-user: \"" + *user + "\" is not a user name (1 to 32 of A-Z a-z 0-9 . _ -)");
    }
    std::string target = *file;
    if (target.empty()) {
      const std::string config_file = cli.target.config_file.empty() ? kDefaultConfigFile : cli.target.config_file;
      auto load = controller::load_config(config_file);
      if (!load.config || load.config->status_page.users_file.empty()) {
        throw UsageError("status-page add-user: give --users-file FILE (" + config_file +
                         (load.config ? " sets no [status_page] users_file)" : " cannot be used: check-config says why)"));
      }
      target = load.config->status_page.users_file.string();
    }
    cli.exit_code = run_add_user(*user, target);
  });
}

}  // namespace passgate::ctl
