// `passgate-sim token keygen|mint`, run in-process: files written, tokens printed, and
// precise errors for bad arguments.
#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

#include "crypto/key_set.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/token_sim/minted_tokens.hpp"
#include "tools/sim/commands.hpp"

namespace passgate::test {
namespace {

struct CommandRun {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs `passgate-sim token <args>` with stdout and stderr captured.
CommandRun run_token(std::vector<std::string> args) {
  CLI::App app{"passgate-sim"};
  app.require_subcommand(1);
  CommandRun run;
  sim::add_token_command(app, run.exit_code);
  std::ostringstream out;
  std::ostringstream err;
  auto* const old_out = std::cout.rdbuf(out.rdbuf());
  auto* const old_err = std::cerr.rdbuf(err.rdbuf());
  args.insert(args.begin(), "token");
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 wants them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    run.exit_code = app.exit(e);
  }
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

struct IssuerFiles {
  TempDir dir;
  std::string pem = (dir / "issuer.pem").string();
  std::string jwks = (dir / "issuer.jwks.json").string();
};

std::vector<std::string> mint_args(const IssuerFiles& files, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"mint",     "--key",    files.pem, "--kid", "app-1", "--issuer",
                                std::string(kMintIssuer), "--audience", std::string(kMintStore),
                                "--now",    std::to_string(kMintedAt)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string verify_printed(const CommandRun& run, const IssuerFiles& files) {
  REQUIRE(run.exit_code == 0);
  REQUIRE(!run.out.empty());
  REQUIRE(run.out.back() == '\n');
  const auto set = must(crypto::KeySet::load(files.jwks));
  return outcome(verify_minted(run.out.substr(0, run.out.size() - 1), *set));
}

TEST_CASE("token keygen writes a 0600 private key and a JWKS, mint signs with it", "[command]") {
  IssuerFiles files;
  const auto keygen = run_token({"keygen", "--alg", "es256", "--kid", "app-1", "--private",
                                 files.pem, "--jwks", files.jwks});
  INFO(keygen.err);
  REQUIRE(keygen.exit_code == 0);
  CHECK(std::filesystem::status(files.pem).permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK(verify_printed(run_token(mint_args(files)), files) == "accepted");
  CHECK(verify_printed(run_token(mint_args(files, {"--group", "4", "--jti", "Qk9fQ2xZb3pQd3F3",
                                                   "--subject", "shp_1", "--lifetime", "300"})),
                       files) == "accepted");
  CHECK(verify_printed(run_token(mint_args(files, {"--flaw", "stale"})), files) == "stale");
  CHECK(verify_printed(run_token(mint_args(files, {"--flaw", "der_signature"})), files) ==
        "bad_signature");
}

TEST_CASE("token keygen --append adds a key for rotation and refuses a used kid", "[command]") {
  IssuerFiles files;
  REQUIRE(run_token({"keygen", "--alg", "es256", "--kid", "app-1", "--private", files.pem,
                     "--jwks", files.jwks})
              .exit_code == 0);
  const std::string new_pem = (files.dir / "new.pem").string();
  const auto append = run_token({"keygen", "--alg", "eddsa", "--kid", "app-2", "--private",
                                 new_pem, "--jwks", files.jwks, "--append"});
  INFO(append.err);
  REQUIRE(append.exit_code == 0);
  CHECK(must(crypto::KeySet::load(files.jwks))->kids() ==
        std::vector<std::string>{"app-1", "app-2"});

  const auto again = run_token({"keygen", "--alg", "eddsa", "--kid", "app-2", "--private",
                                (files.dir / "again.pem").string(), "--jwks", files.jwks,
                                "--append"});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("already has a key with kid \"app-2\""));
  CHECK_FALSE(std::filesystem::exists(files.dir / "again.pem"));
}

TEST_CASE("token commands: precise errors for bad arguments", "[command]") {
  IssuerFiles files;
  REQUIRE(run_token({"keygen", "--alg", "eddsa", "--kid", "app-1", "--private", files.pem,
                     "--jwks", files.jwks})
              .exit_code == 0);
  const auto check_error = [](const CommandRun& run, const std::string& expected) {
    INFO(run.err);
    CHECK(run.exit_code != 0);
    CHECK(run.out.empty());
    CHECK_THAT(run.err, Catch::Contains(expected));
  };
  check_error(run_token({"keygen", "--alg", "rs256", "--kid", "k", "--private", files.pem,
                         "--jwks", files.jwks}),
              "rs256");
  check_error(run_token({"keygen", "--alg", "es256", "--kid", "", "--private", files.pem,
                         "--jwks", files.jwks}),
              "kid must not be empty");
  check_error(run_token({"keygen", "--alg", "es256"}), "--kid");
  check_error(run_token(mint_args(files, {"--group", "11"})), "--group");
  check_error(run_token(mint_args(files, {"--group", "0"})), "--group");
  check_error(run_token(mint_args(files, {"--lifetime", "301"})), "--lifetime");
  check_error(run_token(mint_args(files, {"--jti", "short"})), "16-64 characters");
  check_error(run_token(mint_args(files, {"--subject", ""})), "--subject");
  check_error(run_token(mint_args(files, {"--flaw", "tampered"})), "tampered");
  check_error(run_token(mint_args(files, {"--now", "yesterday"})), "--now");
  auto missing_key = mint_args(files);
  missing_key[2] = (files.dir / "missing.pem").string();
  check_error(run_token(missing_key), "missing.pem");
  auto not_a_key = mint_args(files);
  not_a_key[2] = files.jwks;
  check_error(run_token(not_a_key), "not an unencrypted PEM private key");
  check_error(run_token({"mint"}), "--key");
}

}  // namespace
}  // namespace passgate::test
