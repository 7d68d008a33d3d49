// Fuzz target for the Kafka request decoder (src/kafka/protocol, generated message codecs). The input
// is one request frame without its int32 size prefix: api_key int16, api_version int16, then the
// rest of the request header and the body, as the broker hands them to request_header::decode. Any
// bytes must come back from the decoders as a value or an error; a request that decodes must
// re-encode at its version and decode again to an equal struct (operator==) from exactly the
// re-encoded bytes, which must re-encode to the same bytes. A broken invariant aborts with the API,
// version and the bytes involved. Built as kafka_request_fuzz (libFuzzer, clang) and as
// kafka_request_fuzz_replay (any compiler, run by ctest over corpus/kafka_request/); see README.md.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "common/big_endian.h"
#include "kafka/protocol/messages/all.h"
#include "kafka/protocol/wire.h"

namespace {

namespace kp = tributary::kafka::protocol;

std::span<const std::uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void print_hex(const char* label, std::span<const std::uint8_t> bytes) {
  std::fprintf(stderr, "%s (%zu bytes):", label, bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) std::fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : "", bytes[i]);
  std::fprintf(stderr, "\n");
}

// A codec bug: says what broke, for which message and version, shows the bytes, and aborts.
[[noreturn]] void codec_bug(std::string_view message, std::int16_t version, const std::string& what,
                            std::span<const std::uint8_t> input, const std::string& encoded) {
  std::fprintf(stderr, "codec bug: %.*s v%d: %s\n", static_cast<int>(message.size()), message.data(), version,
               what.c_str());
  print_hex("input body", input);
  print_hex("re-encoded", as_span(encoded));
  std::abort();
}

// Requests are the structs of an API (api_key >= 0) named ...Request; the rest of all_messages are
// responses, headers and the consumer-protocol payloads.
template <typename T>
constexpr bool is_request = T::api_key >= 0 && T::message_name.ends_with("Request");

template <typename T>
std::string encode(const T& message, std::int16_t version, std::string_view label, std::span<const std::uint8_t> input) {
  std::string out;
  kp::writer w(out);
  message.encode(w, version);
  if (!w.ok()) codec_bug(T::message_name, version, std::string(label) + " failed: " + w.error(), input, out);
  return out;
}

// Decodes a T at r's position; if it decodes, checks encode -> decode -> encode. `input` is the part
// of the frame the decode started at, for the report.
template <typename T>
void check_message(kp::reader& r, std::int16_t version, std::span<const std::uint8_t> input) {
  const std::size_t start = r.position();
  const auto first = T::decode(r, version);
  if (!first) {
    // A refusal comes from the reader, says where, and is never "unsupported version" in range.
    FUZZ_CHECK(!r.ok());
    FUZZ_CHECK(first.error().code == r.error_code());
    FUZZ_CHECK(first.error().code != kp::decode_errc::unsupported_version);
    FUZZ_CHECK(!first.error().message.empty());
    FUZZ_CHECK(r.error_position() >= start && r.error_position() <= start + input.size());
    return;
  }
  FUZZ_CHECK(r.ok());
  FUZZ_CHECK(r.position() >= start && r.position() <= start + input.size());

  const std::string encoded = encode(*first, version, "re-encoding the decoded struct", input);
  kp::reader again(as_span(encoded));
  const auto second = T::decode(again, version);
  if (!second) codec_bug(T::message_name, version, "re-encoded bytes do not decode: " + second.error().message, input, encoded);
  if (!again.at_end()) {
    codec_bug(T::message_name, version,
              "decoding the re-encoded bytes leaves " + std::to_string(again.remaining()) + " bytes unread", input,
              encoded);
  }
  if (!(*second == *first)) codec_bug(T::message_name, version, "re-encoded bytes decode to a different struct", input, encoded);
  const std::string encoded_again = encode(*second, version, "re-encoding the second decode", input);
  if (encoded_again != encoded) {
    print_hex("second re-encoding", as_span(encoded_again));
    codec_bug(T::message_name, version, "equal structs encode to different bytes", input, encoded);
  }
}

// Versions outside the struct's range are refused without reading a byte.
template <typename T>
void check_refused(kp::reader& r, std::int16_t version) {
  const std::size_t start = r.position();
  const auto d = T::decode(r, version);
  FUZZ_CHECK(!d);
  FUZZ_CHECK(d.error().code == kp::decode_errc::unsupported_version);
  FUZZ_CHECK(r.position() == start);
}

template <typename T>
bool body_if(std::int16_t api_key, std::int16_t version, bool in_range, kp::reader& r,
             std::span<const std::uint8_t> body) {
  if constexpr (is_request<T>) {
    if (T::api_key != api_key) return false;
    if (in_range) {
      check_message<T>(r, version, body);
    } else {
      check_refused<T>(r, version);
    }
    return true;
  } else {
    return false;
  }
}

// The request struct for api_key: true when there is one (and it was checked).
template <typename... T>
bool check_body(kp::message_list<T...>, std::int16_t api_key, std::int16_t version, bool in_range, kp::reader& r,
                std::span<const std::uint8_t> body) {
  return (body_if<T>(api_key, version, in_range, r, body) || ...);
}

template <typename T>
int table_entry_if(const kp::api_info& api) {
  if constexpr (is_request<T>) {
    if (T::api_key != api.api_key) return 0;
    FUZZ_CHECK(T::min_version == api.min_version && T::max_version == api.max_version);
    FUZZ_CHECK(T::flexible_from == api.request_flexible_from);
    return 1;
  } else {
    return 0;
  }
}

template <typename... T>
int request_structs_for(kp::message_list<T...>, const kp::api_info& api) {
  return (table_entry_if<T>(api) + ...);
}

template <typename... T>
std::size_t request_struct_count(kp::message_list<T...>) {
  return (std::size_t{is_request<T> ? 1u : 0u} + ...);
}

// The API table and the request structs agree: one struct per known API, with its versions; and no
// request struct outside the table (it would never be fuzzed).
bool api_table_matches_structs() {
  for (const kp::api_info& api : kp::known_apis()) FUZZ_CHECK(request_structs_for(kp::all_messages{}, api) == 1);
  FUZZ_CHECK(request_struct_count(kp::all_messages{}) == kp::known_apis().size());
  return true;
}

// Decodes the request header; if it decodes, checks that it round-trips too. Returns false when the
// header is refused.
bool check_header(kp::reader& r, std::int16_t header_version, std::int16_t api_key, std::int16_t version,
                  std::span<const std::uint8_t> frame) {
  const auto header = kp::request_header::decode(r, header_version);
  if (!header) {
    FUZZ_CHECK(!r.ok() || header.error().code == kp::decode_errc::unsupported_version);
    FUZZ_CHECK(!header.error().message.empty());
    return false;
  }
  FUZZ_CHECK(header->request_api_key == api_key && header->request_api_version == version);
  const std::string encoded = encode(*header, header_version, "re-encoding the request header", frame);
  kp::reader again(as_span(encoded));
  const auto second = kp::request_header::decode(again, header_version);
  if (!second || !again.at_end() || !(*second == *header)) {
    codec_bug(kp::request_header::message_name, header_version, "request header does not round-trip", frame, encoded);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool table_checked = api_table_matches_structs();
  (void)table_checked;

  const std::span<const std::uint8_t> frame(data, size);
  if (size < 4) {
    // Too short even for api_key and api_version: the header decoder must still refuse it cleanly.
    kp::reader r(frame);
    FUZZ_CHECK(!kp::request_header::decode(r, 1));
    return 0;
  }
  const auto api_key = tributary::read_be<std::int16_t>(data);
  const auto version = tributary::read_be<std::int16_t>(data + 2);
  const std::int16_t header_version = kp::request_header_version(api_key, version);
  const kp::api_info* api = kp::find_api(api_key);
  FUZZ_CHECK((header_version >= 0) == (api != nullptr && version >= api->min_version && version <= api->max_version));

  kp::reader r(frame);
  if (header_version < 0) {
    // Unknown API, or a version it does not have: the header is refused, and so is the body.
    FUZZ_CHECK(!kp::request_header::decode(r, header_version));
    FUZZ_CHECK(r.position() == 0);
    if (api != nullptr) FUZZ_CHECK(check_body(kp::all_messages{}, api_key, version, false, r, frame));
    return 0;
  }
  if (!check_header(r, header_version, api_key, version, frame)) return 0;
  FUZZ_CHECK(check_body(kp::all_messages{}, api_key, version, true, r, frame.subspan(r.position())));
  return 0;
}
