#include "common/base64.h"

#include <array>
#include <cstdint>

#include "common/base64_avx2.h"

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

// The quad loop's tables: a symbol's six bits already shifted to their place in the 24-bit group
// (shift 18, 12, 6, 0), or kBad for a byte outside the alphabet, so that one OR of four lookups
// gives the group and says whether any symbol was bad.
constexpr std::uint32_t kBad = 1u << 24;
constexpr std::array<std::uint32_t, 256> make_shifted_table(int shift) {
  std::array<std::uint32_t, 256> table{};
  for (auto& v : table) v = kBad;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint32_t>(i) << shift;
  return table;
}
constexpr auto kShift18 = make_shifted_table(18);
constexpr auto kShift12 = make_shifted_table(12);
constexpr auto kShift6 = make_shifted_table(6);
constexpr auto kShift0 = make_shifted_table(0);

// The two symbols of every 12-bit value, for encoding a 24-bit group with two lookups.
constexpr std::array<std::array<char, 2>, 4096> make_pair_table() {
  std::array<std::array<char, 2>, 4096> table{};
  for (int i = 0; i < 4096; ++i) table[static_cast<std::size_t>(i)] = {kAlphabet[i >> 6], kAlphabet[i & 63]};
  return table;
}
constexpr auto kPairs = make_pair_table();

}  // namespace

void base64_append(std::string_view bytes, std::string& out) {
  const std::size_t at = out.size();
  out.resize(at + 4 * ((bytes.size() + 2) / 3));
  char* o = out.data() + at;
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  if (base64_avx2::supported()) {
    i = base64_avx2::encode(in, bytes.size(), o);
    o += i / 3 * 4;
  }
  for (; i + 3 <= bytes.size(); i += 3, o += 4) {
    const std::uint32_t n = static_cast<std::uint32_t>(in[i]) << 16 | static_cast<std::uint32_t>(in[i + 1]) << 8 | in[i + 2];
    const auto& high = kPairs[n >> 12];
    const auto& low = kPairs[n & 0xfff];
    o[0] = high[0];
    o[1] = high[1];
    o[2] = low[0];
    o[3] = low[1];
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
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  if (base64_avx2::supported()) {
    i = base64_avx2::decode(in, full, o);  // stops before a bad symbol, for the loop below to find
    o += i / 4 * 3;
  }
  std::uint32_t bad = 0;
  for (; i < full; i += 4, o += 3) {
    const std::uint32_t n = kShift18[in[i]] | kShift12[in[i + 1]] | kShift6[in[i + 2]] | kShift0[in[i + 3]];
    bad |= n;  // also '=' anywhere but the final one or two places
    o[0] = static_cast<char>(n >> 16 & 0xff);
    o[1] = static_cast<char>(n >> 8 & 0xff);
    o[2] = static_cast<char>(n & 0xff);
  }
  if (bad & kBad) return std::nullopt;
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
