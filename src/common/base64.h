// base64: standard Base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /, '=' padding) for every module that
// carries binary in text (SCRAM salts and proofs, registry password hashes and salts). Pure
// functions, callable from any thread. Not the URL-safe alphabet, not MIME line breaks.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tributary {

// Always padded to a multiple of 4 characters.
std::string base64_encode(std::string_view bytes);
// The same, appended to `out` (no temporary string).
void base64_append(std::string_view bytes, std::string& out);

// Strict decoding: nullopt unless `text` is exactly what base64_encode would produce for some bytes,
// i.e. a multiple of 4 characters from the alphabet, '=' only as one or two final characters, and
// zero bits in the unused part of the last symbol (RFC 4648 §3.5). No whitespace, no missing padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tributary
