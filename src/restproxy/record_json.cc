#include "restproxy/record_json.h"

#include <boost/json.hpp>

#include "common/base64.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;

proxy_result<json::value> field(const std::optional<std::string>& bytes, embedded_format format, const consumed_record& r,
                                 const char* what) {
  if (!bytes) return json::value(nullptr);
  if (format == embedded_format::binary) return json::value(base64_encode(*bytes));
  boost::system::error_code ec;
  auto parsed = json::parse(*bytes, ec);
  if (ec)
    return fail(rest_error{408, 40801, std::string("Cannot deserialize the ") + what + " of the record at offset " +
                                           std::to_string(r.record.offset) + " of " + r.topic + "-" +
                                           std::to_string(r.partition) + " as JSON: " + ec.message()});
  return parsed;
}

}  // namespace

proxy_result<std::string> records_json(const std::vector<consumed_record>& records, embedded_format format) {
  json::array out;
  out.reserve(records.size());
  for (const auto& r : records) {
    auto key = field(r.record.key, format, r, "key");
    if (!key) return fail(key.error());
    auto value = field(r.record.value, format, r, "value");
    if (!value) return fail(value.error());
    json::object o;
    o["topic"] = r.topic;
    o["key"] = std::move(*key);
    o["value"] = std::move(*value);
    o["partition"] = r.partition;
    o["offset"] = r.record.offset;
    if (!r.record.headers.empty()) {
      json::array headers;
      for (const auto& h : r.record.headers)
        headers.push_back(json::object{{"name", h.key}, {"value", h.value ? json::value(base64_encode(*h.value)) : json::value(nullptr)}});
      o["headers"] = std::move(headers);
    }
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

}  // namespace tributary::restproxy
