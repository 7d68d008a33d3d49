#include "common/base64.h"

#include <array>
#include <cstdint>

namespace tributary {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::int8_t kInvalid = -1;

constexpr std::array<std::int8_t, 256> make_decode_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr auto kDecode = make_decode_table();

int sextet(char c) { return kDecode[static_cast<unsigned char>(c)]; }

}  // namespace

void base64_append(std::string_view bytes, std::string& out) {
  const std::size_t at = out.size();
  out.resize(at + 4 * ((bytes.size() + 2) / 3));
  char* o = out.data() + at;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3, o += 4) {
    const std::uint32_t n = static_cast<std::uint32_t>(in[i]) << 16 | static_cast<std::uint32_t>(in[i + 1]) << 8 | in[i + 2];
    o[0] = kAlphabet[n >> 18 & 63];
    o[1] = kAlphabet[n >> 12 & 63];
    o[2] = kAlphabet[n >> 6 & 63];
    o[3] = kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return;
  std::uint32_t n = static_cast<std::uint32_t>(in[i]) << 16;
  if (rest == 2) n |= static_cast<std::uint32_t>(in[i + 1]) << 8;
  o[0] = kAlphabet[n >> 18 & 63];
  o[1] = kAlphabet[n >> 12 & 63];
  o[2] = rest == 2 ? kAlphabet[n >> 6 & 63] : '=';
  o[3] = '=';
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_append(bytes, out);
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out;
  if (text.empty()) return out;
  out.resize(text.size() / 4 * 3 - padding);
  char* o = out.data();
  const std::size_t full = text.size() - 4;  // every quad but the last: four symbols, no padding
  for (std::size_t i = 0; i < full; i += 4, o += 3) {
    const int a = sextet(text[i]), b = sextet(text[i + 1]), c = sextet(text[i + 2]), d = sextet(text[i + 3]);
    if ((a | b | c | d) < 0) return std::nullopt;  // also '=' anywhere but the final one or two places
    const auto n = static_cast<std::uint32_t>(a) << 18 | static_cast<std::uint32_t>(b) << 12 |
                   static_cast<std::uint32_t>(c) << 6 | static_cast<std::uint32_t>(d);
    o[0] = static_cast<char>(n >> 16 & 0xff);
    o[1] = static_cast<char>(n >> 8 & 0xff);
    o[2] = static_cast<char>(n & 0xff);
  }
  const std::size_t symbols = 4 - padding;
  std::uint32_t n = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const int v = k < symbols ? sextet(text[full + k]) : 0;
    if (v == kInvalid) return std::nullopt;
    n = n << 6 | static_cast<std::uint32_t>(v);
  }
  o[0] = static_cast<char>(n >> 16 & 0xff);
  if (symbols >= 3) o[1] = static_cast<char>(n >> 8 & 0xff);
  if (symbols == 4) o[2] = static_cast<char>(n & 0xff);
  // RFC 4648 §3.5: the bits of the last symbol that encode no byte must be zero.
  if (symbols == 3 && (n & 0xff) != 0) return std::nullopt;
  if (symbols == 2 && (n & 0xffff) != 0) return std::nullopt;
  return out;
}

}  // namespace tributary
