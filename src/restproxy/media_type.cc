#include "restproxy/media_type.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace tributary::restproxy {
namespace {

constexpr std::array<std::pair<embedded_format, std::string_view>, 5> formats{{
    {embedded_format::binary, "binary"},
    {embedded_format::json, "json"},
    {embedded_format::avro, "avro"},
    {embedded_format::jsonschema, "jsonschema"},
    {embedded_format::protobuf, "protobuf"},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type without parameters, lowercased.
std::string bare_type(std::string_view value) { return lower(trim(value.substr(0, value.find(';')))); }

struct media_range {
  std::string type;
  double q = 1.0;
};

// One entry per comma-separated range; a malformed q counts as 0 (never chosen).
std::vector<media_range> parse_ranges(std::string_view header) {
  std::vector<media_range> out;
  if (trim(header).empty()) return {{"*/*", 1.0}};
  std::size_t pos = 0;
  while (pos <= header.size()) {
    const auto end = std::min(header.find(',', pos), header.size());
    const auto item = header.substr(pos, end - pos);
    pos = end + 1;
    media_range r;
    r.type = bare_type(item);
    if (r.type.empty()) continue;
    auto params = item.substr(std::min(item.find(';'), item.size()));
    while (!params.empty()) {
      params.remove_prefix(1);  // ';'
      const auto next = std::min(params.find(';'), params.size());
      const auto param = trim(params.substr(0, next));
      params = params.substr(next);
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        const auto text = std::string(param.substr(2));
        char* stop = nullptr;
        const double q = std::strtod(text.c_str(), &stop);
        r.q = (stop != text.c_str() && *stop == '\0' && q >= 0 && q <= 1) ? q : 0.0;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

bool range_matches(const std::string& range, std::string_view offered) {
  if (range == "*/*") return true;
  if (range.size() > 2 && range.ends_with("/*")) return offered.starts_with(std::string_view(range).substr(0, range.size() - 1));
  return range == offered;
}

}  // namespace

std::string_view format_name(embedded_format f) {
  for (const auto& [format, name] : formats)
    if (format == f) return name;
  return "binary";
}

std::optional<embedded_format> parse_format_name(std::string_view name) {
  const auto wanted = lower(name);
  for (const auto& [format, n] : formats)
    if (n == wanted) return format;
  return std::nullopt;
}

std::string format_media_type(embedded_format f) {
  return "application/vnd.kafka." + std::string(format_name(f)) + ".v2+json";
}

std::optional<embedded_format> produce_format(std::string_view content_type) {
  const auto type = bare_type(content_type);
  for (const auto& [format, name] : formats)
    if (type == format_media_type(format)) return format;
  return std::nullopt;
}

bool consumer_content_type_ok(std::string_view content_type) {
  const auto type = bare_type(content_type);
  return type.empty() || type == v2_json || type == plain_json || produce_format(type).has_value();
}

bool accepts(std::string_view accept, std::string_view offered) {
  const auto want = lower(offered);
  // The most specific matching range decides (RFC 9110 §12.5.1): an explicit q=0 excludes a type
  // even when */* admits everything else.
  int best_specificity = -1;
  double best_q = 0;
  for (const auto& r : parse_ranges(accept)) {
    if (!range_matches(r.type, want)) continue;
    const int specificity = r.type == "*/*" ? 0 : r.type.ends_with("/*") ? 1 : 2;
    if (specificity > best_specificity) {
      best_specificity = specificity;
      best_q = r.q;
    }
  }
  return best_q > 0;
}

std::optional<embedded_format> accepted_format(std::string_view accept) {
  for (const auto& r : parse_ranges(accept)) {
    if (r.q <= 0) continue;
    if (auto f = produce_format(r.type)) return f;
  }
  return std::nullopt;
}

}  // namespace tributary::restproxy
