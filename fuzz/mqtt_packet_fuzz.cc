// Fuzz target for the MQTT 3.1.1 codec (src/adapters/mqtt/codec.h). Any bytes are read as a stream,
// packet after packet, until decode fails or needs more. decode_fixed_header must agree with decode;
// every packet that decodes must need more at each shorter prefix, hit max_packet_bytes exactly at
// its size, and re-encode to the same body (and the same header unless the input's remaining length
// was non-minimal) that decodes to an equal packet. A broken invariant aborts. Built as
// mqtt_packet_fuzz (libFuzzer, clang) and mqtt_packet_fuzz_replay (any compiler, run by ctest over
// corpus/mqtt_packet/); see README.md.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "adapters/mqtt/codec.h"

namespace {

namespace mqtt = tributary::adapters::mqtt;

bool needs_more(std::span<const std::uint8_t> bytes, const mqtt::decode_limits& limits = {}) {
  const auto r = mqtt::decode(bytes, limits);
  return r.ok() && !r->has_value();
}

// `wire` is exactly one packet that decoded to `p` under `header`.
void check_packet(std::span<const std::uint8_t> wire, const mqtt::packet& p, const mqtt::fixed_header& header) {
  FUZZ_CHECK(mqtt::type_of(p) == header.type);
  for (const std::size_t n :
       {std::size_t{0}, std::size_t{1}, header.header_size - 1, header.header_size, wire.size() - 1}) {
    if (n < wire.size()) FUZZ_CHECK(needs_more(wire.first(n)));
  }
  const auto at_limit = mqtt::decode(wire, mqtt::decode_limits{wire.size()});
  FUZZ_CHECK(at_limit.ok() && at_limit->has_value() && (*at_limit)->size == wire.size());
  const auto over_limit = mqtt::decode(wire, mqtt::decode_limits{wire.size() - 1});
  FUZZ_CHECK(!over_limit.ok() && over_limit.error().code == mqtt::codec_errc::packet_too_large);

  mqtt::bytes encoded;
  const auto written = mqtt::encode(p, encoded);
  if (!written.ok()) {
    std::fprintf(stderr, "a decoded %s does not encode: %s\n", std::string(mqtt::to_string(header.type)).c_str(),
                 written.error().message.c_str());
    std::abort();
  }
  const auto encoded_header = mqtt::decode_fixed_header(encoded);
  FUZZ_CHECK(encoded_header.ok() && encoded_header->has_value());
  const mqtt::fixed_header& eh = **encoded_header;
  FUZZ_CHECK(eh.type == header.type && eh.flags == header.flags);
  FUZZ_CHECK(eh.remaining_length == header.remaining_length);
  FUZZ_CHECK(eh.header_size <= header.header_size);
  FUZZ_CHECK(eh.packet_size() == encoded.size());
  FUZZ_CHECK(std::equal(encoded.begin() + static_cast<std::ptrdiff_t>(eh.header_size), encoded.end(),
                        wire.begin() + static_cast<std::ptrdiff_t>(header.header_size), wire.end()));
  if (eh.header_size == header.header_size)
    FUZZ_CHECK(std::equal(encoded.begin(), encoded.end(), wire.begin(), wire.end()));

  const auto again = mqtt::decode(encoded);
  FUZZ_CHECK(again.ok() && again->has_value());
  FUZZ_CHECK((*again)->size == encoded.size());
  FUZZ_CHECK((*again)->packet == p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  for (std::size_t pos = 0; pos < size;) {
    const auto rest = input.subspan(pos);
    const auto header = mqtt::decode_fixed_header(rest);
    const auto r = mqtt::decode(rest);
    if (!header.ok()) {
      FUZZ_CHECK(!r.ok() && r.error().code == header.error().code);
      FUZZ_CHECK(!header.error().message.empty());
      break;
    }
    if (!r.ok()) {
      FUZZ_CHECK(header->has_value() && (*header)->packet_size() <= rest.size());
      FUZZ_CHECK(!r.error().message.empty());
      FUZZ_CHECK(mqtt::to_string(r.error().code) != "unknown codec error");
      break;
    }
    if (!r->has_value()) {
      FUZZ_CHECK(!header->has_value() || (*header)->packet_size() > rest.size());
      break;
    }
    FUZZ_CHECK(header->has_value());
    const mqtt::fixed_header& h = **header;
    FUZZ_CHECK((*r)->size == h.packet_size() && (*r)->size <= rest.size() && (*r)->size >= 2);
    check_packet(rest.first((*r)->size), (*r)->packet, h);
    pos += (*r)->size;
  }
  return 0;
}
