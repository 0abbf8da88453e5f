// GatewayParams: strict reading of a payment-gateway request's form parameters (decoded by
// form_decode) for the gateway simulator, Stripe style. Each reader checks one parameter
// and collects a problem (parameter, Stripe error code, message) when it is missing or
// bad; finish() adds every parameter nobody read ("parameter_unknown") and every one given
// twice. One 400 answer can then name them all. Messages never quote a customer or a
// payment method: they may end up in the gate's logs. Single-threaded.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/form_encoding.hpp"

namespace passgate::sim {

inline constexpr std::int64_t kMaxGatewayAmount = 99'999'999;  // Stripe's limit: eight digits

struct GatewayParamProblem {
  std::string param;    // e.g. "metadata[session_id]"
  std::string code;     // parameter_missing | parameter_invalid_integer | parameter_invalid |
                        // parameter_unknown | parameter_duplicated
  std::string message;  // "amount: expected a positive integer (minor units) up to 99999999"
};

// Each reader returns an empty or zero value when its parameter is bad; check ok() (after
// finish()) before using them.
class GatewayParams {
 public:
  explicit GatewayParams(FormFields fields) : fields_(std::move(fields)) {}

  std::string text(const std::string& name);  // required, non-empty
  std::optional<std::string> optional_text(const std::string& name);  // present: non-empty
  std::int64_t positive_integer(const std::string& name, std::int64_t max);
  std::optional<std::int64_t> optional_positive_integer(const std::string& name, std::int64_t max);
  std::string currency(const std::string& name);  // three lower-case ASCII letters
  std::string one_of(const std::string& name, std::initializer_list<const char*> allowed);
  std::optional<std::string> optional_one_of(const std::string& name, std::initializer_list<const char*> allowed);
  void problem(const std::string& param, const std::string& code, const std::string& message);

  // Notes the parameters never read and those given more than once.
  void finish();
  [[nodiscard]] bool ok() const { return problems_.empty(); }
  [[nodiscard]] const std::vector<GatewayParamProblem>& problems() const { return problems_; }

 private:
  // The value of `name`, marking it read; null (and a problem if `required`) when absent.
  const std::string* find(const std::string& name, bool required);
  std::optional<std::int64_t> integer(const std::string& name, std::int64_t max, bool required);
  std::optional<std::string> choice(const std::string& name, std::initializer_list<const char*> allowed,
                                    bool required);

  FormFields fields_;
  std::set<std::string> read_;
  std::vector<GatewayParamProblem> problems_;
};

}  // namespace passgate::sim
