// feed_reports: hands a scanner decoder (HidPosReassembler, BootKeyboardDecoder) every report
// in order and collects the reads it delivers and the error codes it returns.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace passgate::test {

struct ScannerOutcome {
  std::vector<std::string> reads;
  std::vector<std::string> errors;
};

template <class Decoder, class Reports>
ScannerOutcome feed_reports(Decoder& decoder, const Reports& reports) {
  ScannerOutcome out;
  for (const auto& report : reports) {
    auto result = decoder.feed(report);
    if (!result) {
      CHECK_FALSE(result.error().message.empty());
      out.errors.push_back(result.error().code);
    } else if (*result) {
      out.reads.push_back(**result);
    }
  }
  return out;
}

}  // namespace passgate::test
