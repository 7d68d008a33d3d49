// MQTT 3.1.1's rules for UTF-8 encoded strings (§1.5.3), topic names and topic filters (§4.7), shared
// by the decoder and the encoder and usable by the adapter (e.g. before it builds a command topic).
// Pure functions over a string_view; no allocation unless a problem is reported. They must not know
// packets or fields (callers name those) nor length limits (65535 bytes: the codec's business).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/mqtt/codec.h"

namespace tributary::adapters::mqtt {

struct string_problem {
  codec_errc code;
  std::size_t offset;  // of the offending byte within the string
  std::string what;    // ends with the clause it breaks, e.g. "... [MQTT-1.5.3-2]"
};

// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates U+D800-U+DFFF, nothing above
// U+10FFFF, no cut-short sequence) [MQTT-1.5.3-1] without U+0000 [MQTT-1.5.3-2].
std::optional<string_problem> check_utf8_string(std::string_view s);

// A valid UTF-8 string of at least one character [MQTT-4.7.3-1] without '+' or '#' [MQTT-4.7.1-1].
std::optional<string_problem> check_topic_name(std::string_view s);

// A valid UTF-8 string of at least one character [MQTT-4.7.3-1] whose '#' is alone in the last level
// [MQTT-4.7.1-2] and whose every '+' is alone in its level [MQTT-4.7.1-3].
std::optional<string_problem> check_topic_filter(std::string_view s);

}  // namespace tributary::adapters::mqtt
