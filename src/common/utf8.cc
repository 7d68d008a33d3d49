#include "common/utf8.h"

#include <cstdint>

namespace tributary {

std::size_t utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto lead = static_cast<std::uint8_t>(s[0]);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80, high = 0xBF;  // the allowed range of the second byte (RFC 3629 §4)
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // below: overlong
    if (lead == 0xED) high = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // below: overlong
    if (lead == 0xF4) high = 0x8F;  // above: beyond U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  const auto second = static_cast<std::uint8_t>(s[1]);
  if (second < low || second > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return length;
}

std::string utf8_with_replacements(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto n = utf8_sequence_length(s.substr(i));
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return std::string(s);
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    if (const auto n = utf8_sequence_length(s.substr(i))) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    out += "\xEF\xBF\xBD";  // U+FFFD
    ++i;
  }
  return out;
}

}  // namespace tributary
