// Fuzz target for what the REST proxy parses from clients (src/restproxy/): v2 produce bodies in
// the binary and json formats, v3 produce streams, and the consumer-protocol bytes other group
// members send (subscriptions, assignments). The first byte picks the parser, the rest is its
// input. Every input must give a value or a 400/422 error with a message; binary bodies must parse
// the same through the streaming and the document parser; json records must be JSON again; decoded
// protocol bytes must survive encode -> decode. A broken invariant aborts.
// Built as restproxy_request_fuzz (libFuzzer, clang) and restproxy_request_fuzz_replay (any
// compiler, run by ctest over corpus/restproxy_request/); see README.md.
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "restproxy/consumer_protocol.h"
#include "restproxy/v3_records.h"

namespace rp = tributary::restproxy;

namespace {

void check_error(const rp::rest_error& e) {
  FUZZ_CHECK(e.status == 400 || e.status == 422);
  FUZZ_CHECK(e.error_code == 400 || e.error_code == 422);
  FUZZ_CHECK(!e.message.empty());
}

bool is_json(const std::optional<std::string>& bytes) {
  if (!bytes) return true;
  boost::system::error_code ec;
  boost::json::parse(*bytes, ec);
  return !ec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
    case 1: {
      const auto format = data[0] % 5 == 0 ? rp::embedded_format::binary : rp::embedded_format::json;
      const auto parsed = rp::parse_produce_request(input, format);
      if (format == rp::embedded_format::binary) {  // the streaming parse agrees with the document parse
        const auto document = rp::parse_produce_request(input, format, false);
        FUZZ_CHECK(document.ok() == parsed.ok());
        if (parsed) {
          FUZZ_CHECK(document->size() == parsed->size());
          for (std::size_t i = 0; i < parsed->size(); ++i) {
            const auto &a = (*parsed)[i], &b = (*document)[i];
            FUZZ_CHECK(a.key == b.key && a.value == b.value && a.partition == b.partition && a.headers == b.headers);
          }
        } else {
          FUZZ_CHECK(document.error().message == parsed.error().message);
        }
      }
      if (!parsed) {
        check_error(parsed.error());
        break;
      }
      FUZZ_CHECK(!parsed->empty());
      if (format == rp::embedded_format::json)
        for (const auto& r : *parsed) FUZZ_CHECK(is_json(r.key) && is_json(r.value));
      break;
    }
    case 2: {
      for (const auto& entry : rp::parse_v3_records(input)) {
        if (const auto* e = std::get_if<rp::rest_error>(&entry)) check_error(*e);
      }
      break;
    }
    case 3: {
      const auto topics = rp::decode_subscription(input);
      if (topics) FUZZ_CHECK(rp::decode_subscription(rp::encode_subscription(*topics)) == topics);
      break;
    }
    case 4: {
      auto partitions = rp::decode_assignment(input);
      if (!partitions) break;
      auto again = rp::decode_assignment(rp::encode_assignment(*partitions));
      FUZZ_CHECK(again.has_value());
      std::sort(partitions->begin(), partitions->end());
      std::sort(again->begin(), again->end());
      FUZZ_CHECK(*again == *partitions);
      break;
    }
  }
  return 0;
}
