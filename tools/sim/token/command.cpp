// `passgate-sim token`: the simulated issuer on the command line.
//   token keygen --alg es256|eddsa --kid KID --private OUT.pem --jwks OUT.jwks.json [--append]
//   token mint --key KEY.pem --kid KID --issuer ISS --audience STORE [options]  -> one token
// Exit codes: 0 done, 1 a key could not be made, read or written; bad arguments are
// reported by CLI11 with its own non-zero codes.
#include <chrono>
#include <iostream>
#include <memory>

#include "crypto/token_rules.hpp"
#include "tools/sim/commands.hpp"
#include "tools/sim/token/minter.hpp"

namespace passgate::sim {
namespace {

namespace rules = crypto::token_rules;

constexpr int kFailed = 1;

int report(std::string_view command, const Error& error, int code) {
  std::cerr << "passgate-sim token " << command << ": " << error.message << "\n";
  return code;
}

struct KeygenOptions {
  std::string alg;
  std::string kid;
  std::string private_pem;
  std::string jwks;
  bool append = false;
};

int run_keygen(const KeygenOptions& o) {
  const IssuerAlg alg = o.alg == "es256" ? IssuerAlg::es256 : IssuerAlg::eddsa;
  auto key = IssuerKey::generate(alg, o.kid);
  if (!key) return report("keygen", key.error(), kFailed);
  // The JWKS first: a refused --append (duplicate kid, bad file) leaves no orphan key file.
  const Status jwks = o.append ? append_to_jwks(o.jwks, *key) : save_jwks(o.jwks, {&*key});
  if (!jwks) return report("keygen", jwks.error(), kFailed);
  if (auto saved = key->save_private_pem(o.private_pem); !saved) {
    return report("keygen", saved.error(), kFailed);
  }
  std::cerr << "wrote " << key->alg_name() << " key " << o.kid << ": private key " << o.private_pem
            << " (mode 0600), public key " << (o.append ? "added to " : "in ") << o.jwks << "\n";
  return 0;
}

void add_keygen(CLI::App& token, int& exit_code) {
  auto options = std::make_shared<KeygenOptions>();
  auto* cmd = token.add_subcommand("keygen", "generate an issuer key pair and its JWK Set");
  cmd->add_option("--alg", options->alg, "signature algorithm")
      ->required()
      ->check(CLI::IsMember({"es256", "eddsa"}));
  cmd->add_option("--kid", options->kid, "key id, unique in the key set (e.g. app-2026-11)")
      ->required()
      ->check([](const std::string& kid) {
        return kid.empty() ? std::string("the kid must not be empty") : std::string();
      });
  cmd->add_option("--private", options->private_pem, "where to write the private key (PEM, 0600)")
      ->required();
  cmd->add_option("--jwks", options->jwks, "where to write the public JWK Set")->required();
  cmd->add_flag("--append", options->append,
                "add the public key to the existing JWK Set instead of replacing it (rotation)");
  cmd->callback([options, &exit_code] { exit_code = run_keygen(*options); });
}

struct MintOptions {
  std::string key;
  std::string kid;
  std::string flaw = "none";
  std::optional<std::int64_t> now;
  TokenSpec spec;
};

int run_mint(MintOptions& o) {
  auto key = IssuerKey::load(o.key, o.kid);
  if (!key) return report("mint", key.error(), kFailed);
  o.spec.flaw = token_flaw_from_name(o.flaw).value_or(TokenFlaw::none);  // checked by IsMember
  o.spec.now = o.now ? *o.now
                     : std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  std::cout << mint_token(*key, o.spec) << std::endl;
  return 0;
}

CLI::Validator character_count(std::size_t min, std::size_t max) {
  return CLI::Validator(
      [min, max](const std::string& value) {
        const std::size_t chars = rules::count_characters(value);
        if (chars >= min && chars <= max) return std::string();
        return "has " + std::to_string(chars) + " characters; expected " + std::to_string(min) +
               "-" + std::to_string(max);
      },
      std::to_string(min) + "-" + std::to_string(max) + " chars");
}

void add_mint(CLI::App& token, int& exit_code) {
  auto options = std::make_shared<MintOptions>();
  TokenSpec& spec = options->spec;
  auto* cmd = token.add_subcommand("mint", "print one signed entry token on stdout");
  cmd->add_option("--key", options->key, "the issuer's private key (PEM)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--kid", options->kid, "the key's id in the gate's key set")->required();
  cmd->add_option("--issuer", spec.issuer, "iss: the issuer the gate is configured with")->required();
  cmd->add_option("--audience", spec.audience, "aud: the store id of the gate")->required();
  cmd->add_option("--subject", spec.subject, "sub: the shopper account id")
      ->capture_default_str()
      ->check(character_count(rules::kSubjectMinChars, rules::kSubjectMaxChars));
  cmd->add_option("--group", spec.group, "grp: people one scan admits (default: no grp, i.e. 1)")
      ->check(CLI::Range(rules::kGroupMin, rules::kGroupMax));
  cmd->add_option("--jti", spec.token_id, "jti: the single-use token id (default: random)")
      ->check([](const std::string& jti) {
        return rules::is_valid_token_id(jti)
                   ? std::string()
                   : std::string("must be 16-64 characters of [A-Za-z0-9_-]");
      });
  cmd->add_option("--lifetime", spec.lifetime_s, "exp - iat in seconds")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, rules::kMaxLifetimeSeconds));
  cmd->add_option("--customer", spec.customer, "pay.customer: gateway customer reference")
      ->capture_default_str()
      ->check(character_count(rules::kPaymentRefMinChars, rules::kPaymentRefMaxChars));
  cmd->add_option("--payment-method", spec.payment_method,
                  "pay.payment_method: tokenized payment method")
      ->capture_default_str()
      ->check(character_count(rules::kPaymentRefMinChars, rules::kPaymentRefMaxChars));
  cmd->add_option("--flaw", options->flaw, "make the token fail with this reason")
      ->capture_default_str()
      ->check(CLI::IsMember(token_flaw_names()));
  cmd->add_option("--now", options->now, "Unix time to mint the token for (default: the clock)");
  cmd->callback([options, &exit_code] { exit_code = run_mint(*options); });
}

}  // namespace

void add_token_command(CLI::App& app, int& exit_code) {
  auto* token = app.add_subcommand("token", "simulated issuer: keys, key sets, entry tokens");
  token->require_subcommand(1);
  add_keygen(*token, exit_code);
  add_mint(*token, exit_code);
}

}  // namespace passgate::sim
