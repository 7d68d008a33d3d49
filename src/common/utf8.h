// utf8: well-formedness of UTF-8 (RFC 3629 §4: no overlong forms, no surrogates, nothing above
// U+10FFFF) for text that must be valid when it leaves Tributary (JSON documents built from stored
// bytes), and the replacement of what is ill-formed by U+FFFD, as Java's decoders do. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tributary {

// Length (1-4) of the well-formed sequence at the front of `s`, or 0 when it is ill-formed or cut
// short (or `s` is empty).
std::size_t utf8_sequence_length(std::string_view s);

// `s` with one U+FFFD for every byte that starts no well-formed sequence; `s` itself when it is
// well-formed.
std::string utf8_with_replacements(std::string_view s);

}  // namespace tributary
