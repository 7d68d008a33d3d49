// MQTT string, topic name and topic filter checks (string_rules.h). UTF-8 well-formedness follows
// RFC 3629 §4 (the byte ranges of its Table 3), which is what [MQTT-1.5.3-1] asks for. Nothing else
// lives here.
#include "adapters/mqtt/string_rules.h"

#include <cstdint>
#include <cstdio>

namespace tributary::adapters::mqtt {

namespace {

std::string hex_byte(std::uint8_t b) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", b);
  return text;
}

std::string code_point(std::uint32_t cp) {
  char text[16];
  std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(cp));
  return text;
}

std::optional<string_problem> utf8_problem(std::size_t at, std::string what) {
  return string_problem{codec_errc::invalid_utf8, at, std::move(what) + " [MQTT-1.5.3-1]"};
}

}  // namespace

std::optional<string_problem> check_utf8_string(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const std::uint8_t lead = p[i];
    if (lead == 0x00) return string_problem{codec_errc::null_character, i, "U+0000 in a string [MQTT-1.5.3-2]"};
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Sequence length and the allowed range of the second byte (RFC 3629 §4).
    std::size_t length = 0;
    std::uint8_t low = 0x80;
    std::uint8_t high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // below: overlong
      if (lead == 0xED) high = 0x9F;  // above: UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // below: overlong
      if (lead == 0xF4) high = 0x8F;  // above: beyond U+10FFFF
    } else if (lead >= 0x80 && lead <= 0xBF) {
      return utf8_problem(i, "continuation byte " + hex_byte(lead) + " without a lead byte");
    } else if (lead == 0xC0 || lead == 0xC1) {
      return utf8_problem(i, "overlong encoding (lead byte " + hex_byte(lead) + ")");
    } else {
      return utf8_problem(i, "byte " + hex_byte(lead) + " never appears in UTF-8 (beyond U+10FFFF)");
    }
    if (n - i < length) {
      return utf8_problem(i, "sequence of " + std::to_string(length) + " bytes cut short by the end of the string");
    }
    const std::uint8_t second = p[i + 1];
    if (second < low || second > high) {
      if (second >= 0x80 && second <= 0xBF) {
        if (lead == 0xED) {
          std::uint32_t cp = 0xD000 | ((second & 0x3Fu) << 6);
          if ((p[i + 2] & 0xC0) == 0x80) cp |= p[i + 2] & 0x3Fu;
          return utf8_problem(i, "UTF-16 surrogate " + code_point(cp) + " encoded in UTF-8");
        }
        if (lead == 0xF4) return utf8_problem(i, "code point beyond U+10FFFF");
        return utf8_problem(i, "overlong encoding (" + hex_byte(lead) + " " + hex_byte(second) + ")");
      }
      return utf8_problem(i + 1,
                          "byte " + hex_byte(second) + " where a continuation byte must follow " + hex_byte(lead));
    }
    for (std::size_t k = 2; k < length; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        return utf8_problem(i + k, "byte " + hex_byte(p[i + k]) + " where a continuation byte must follow");
      }
    }
    i += length;
  }
  return std::nullopt;
}

std::optional<string_problem> check_topic_name(std::string_view s) {
  if (s.empty()) return string_problem{codec_errc::empty_topic, 0, "empty topic name [MQTT-4.7.3-1]"};
  if (auto problem = check_utf8_string(s)) return problem;
  if (const auto at = s.find_first_of("+#"); at != std::string_view::npos) {
    return string_problem{codec_errc::wildcard_in_topic_name, at,
                          std::string("wildcard '") + s[at] + "' in a topic name [MQTT-3.3.2-2] [MQTT-4.7.1-1]"};
  }
  return std::nullopt;
}

std::optional<string_problem> check_topic_filter(std::string_view s) {
  if (s.empty()) return string_problem{codec_errc::empty_topic, 0, "empty topic filter [MQTT-4.7.3-1]"};
  if (auto problem = check_utf8_string(s)) return problem;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool level_starts = i == 0 || s[i - 1] == '/';
    const bool level_ends = i + 1 == s.size() || s[i + 1] == '/';
    if (s[i] == '#' && !(level_starts && i + 1 == s.size())) {
      return string_problem{codec_errc::invalid_topic_filter, i,
                            "'#' must be the last character and alone in its level [MQTT-4.7.1-2]"};
    }
    if (s[i] == '+' && !(level_starts && level_ends)) {
      return string_problem{codec_errc::invalid_topic_filter, i, "'+' must be alone in its level [MQTT-4.7.1-3]"};
    }
  }
  return std::nullopt;
}

}  // namespace tributary::adapters::mqtt
