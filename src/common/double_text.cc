#include "common/double_text.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace tributary {

void append_double_text(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  const std::string_view written(text, static_cast<std::size_t>(end - text));
  out += written;
  if (written.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

}  // namespace tributary
