// double_text: a double as the shortest decimal that reads back as the same double (what Jackson
// and JavaScript write: 21.5, 1.0, 1.0E21 as 1e+21), ".0" added when it would look like an integer,
// "null" for NaN and infinities (JSON has no way to write them). Pure.
#pragma once

#include <string>

namespace tributary {

void append_double_text(double d, std::string& out);

}  // namespace tributary
