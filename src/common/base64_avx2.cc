#include "common/base64_avx2.h"

#include <immintrin.h>

#include <cstdint>

// Only the functions marked target("avx2") use AVX2 instructions; the file is built like every
// other, so nothing AVX2 leaks into inline functions shared with the rest of the program.
namespace tributary::base64_avx2 {

bool supported() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}

__attribute__((target("avx2"))) std::size_t encode(const unsigned char* in, std::size_t n, char* out) {
  // Per 128-bit lane: 12 input bytes, each 3-byte group (a, b, c) spread to the 32-bit word
  // b a c b, from which the four 6-bit indexes are cut with two multiplies.
  const __m256i spread = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,  //
                                          1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  // Index -> symbol offset, by class: 0 'a'..'z' (26..51), 1..10 '0'..'9', 11 '+', 12 '/', 13 'A'..'Z'.
  const __m256i offsets = _mm256_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0,  //
                                           71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 65, 0, 0);
  std::size_t i = 0;
  for (; i + 28 <= n; i += 24, out += 32) {
    const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i + 12));
    const __m256i words = _mm256_shuffle_epi8(_mm256_set_m128i(high, low), spread);
    // Indexes 0 and 2 of each word: bits 10..15 and 22..27 (after b a c b), moved down by mulhi.
    const __m256i ac = _mm256_mulhi_epu16(_mm256_and_si256(words, _mm256_set1_epi32(0x0fc0fc00)),
                                          _mm256_set1_epi32(0x04000040));
    // Indexes 1 and 3: bits 4..9 and 16..21, moved up by mullo.
    const __m256i bd = _mm256_mullo_epi16(_mm256_and_si256(words, _mm256_set1_epi32(0x003f03f0)),
                                          _mm256_set1_epi32(0x01000010));
    const __m256i indexes = _mm256_or_si256(ac, bd);
    __m256i cls = _mm256_subs_epu8(indexes, _mm256_set1_epi8(51));
    const __m256i upper = _mm256_cmpgt_epi8(_mm256_set1_epi8(26), indexes);
    cls = _mm256_or_si256(cls, _mm256_and_si256(upper, _mm256_set1_epi8(13)));
    const __m256i symbols = _mm256_add_epi8(indexes, _mm256_shuffle_epi8(offsets, cls));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), symbols);
  }
  return i;
}

__attribute__((target("avx2"))) std::size_t decode(const unsigned char* in, std::size_t n, char* out) {
  // A symbol is valid when the bits of its low nibble and of its high nibble share none: lo_bits
  // has, per low nibble, the high-nibble classes (2, 3, 4|6, 5|7, other) it is not valid with.
  const __m256i lo_bits = _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b,
                                           0x1b, 0x1b, 0x1a,  //
                                           0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b,
                                           0x1b, 0x1b, 0x1a);
  const __m256i hi_bits = _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
                                           0x10, 0x10, 0x10,  //
                                           0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
                                           0x10, 0x10, 0x10);
  // Symbol -> value offset by high nibble ('/' gets index 1): '+' +19, '/' +16, digits +4,
  // upper case -65, lower case -71.
  const __m256i rolls = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                         0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  // The 3 bytes of each 32-bit word, high first, then the 12 bytes of each lane side by side.
  const __m256i gather = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                          2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32, out += 24) {
    const __m256i symbols = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi32(symbols, 4), nibble);
    const __m256i low = _mm256_and_si256(symbols, nibble);
    if (!_mm256_testz_si256(_mm256_shuffle_epi8(lo_bits, low), _mm256_shuffle_epi8(hi_bits, high))) break;
    const __m256i slash = _mm256_cmpeq_epi8(symbols, _mm256_set1_epi8('/'));
    const __m256i values = _mm256_add_epi8(symbols, _mm256_shuffle_epi8(rolls, _mm256_add_epi8(slash, high)));
    // Two 6-bit values -> 12 bits per 16-bit word, two of those -> 24 bits per 32-bit word.
    const __m256i twelve = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
    const __m256i twenty_four = _mm256_madd_epi16(twelve, _mm256_set1_epi32(0x00011000));
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(twenty_four, gather), pack);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 16), _mm256_extracti128_si256(bytes, 1));
  }
  return i;
}

}  // namespace tributary::base64_avx2
