// base64_avx2: the bulk of base64.cc's encoding and decoding, 24 bytes <-> 32 symbols per step in
// AVX2 registers, for the CPUs that have it (base64.cc asks; callers never call these directly).
// Each function does the whole steps it can and returns how far it got; base64.cc finishes the
// rest (and the padding) with its tables, so both paths give exactly the same results.
#pragma once

#include <cstddef>

namespace tributary::base64_avx2 {

// Whether this CPU runs the functions below.
bool supported();

// Encodes whole 24-byte steps of `in` while 4 more bytes can be read past the step; returns the
// bytes consumed (a multiple of 24; 4 symbols written per 3 bytes).
std::size_t encode(const unsigned char* in, std::size_t n, char* out);

// Decodes whole 32-symbol steps of `in` (no padding in them); returns the symbols consumed (a
// multiple of 32; 3 bytes written per 4 symbols). Stops early, before a step holding a byte
// outside the alphabet, which the caller's tables then refuse.
std::size_t decode(const unsigned char* in, std::size_t n, char* out);

}  // namespace tributary::base64_avx2
