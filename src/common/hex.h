// hex: the value of one hexadecimal digit, for the parsers that read hex in text (URL escapes,
// request ids). Pure, header-only.
#pragma once

namespace tributary {

// 0-15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace tributary
