#include "restproxy/record_json.h"

#include <boost/json.hpp>

#include "common/base64.h"
#include "restproxy/json_text.h"

namespace tributary::restproxy {
namespace {

namespace json = boost::json;

void append_string(std::string_view s, std::string& out) { out += json::serialize(json::string(s)); }

// Binary: base64. Json: the stored text as it is (so numbers keep their digits), once it parses.
proxy_result<bool> append_field(const std::optional<std::string>& bytes, embedded_format format, const consumed_record& r,
                                const char* what, std::string& out) {
  if (!bytes) {
    out += "null";
    return true;
  }
  if (format == embedded_format::binary) {  // base64 needs no escaping
    out += '"';
    base64_append(*bytes, out);
    out += '"';
    return true;
  }
  if (format == embedded_format::avro) {  // already JSON: the Avro reader wrote it
    out += *bytes;
    return true;
  }
  boost::system::error_code ec;
  json::parse(*bytes, ec, {}, record_data_parse_options());
  if (ec)
    return fail(rest_error{408, 40801, std::string("Cannot deserialize the ") + what + " of the record at offset " +
                                           std::to_string(r.record.offset) + " of " + r.topic + "-" +
                                           std::to_string(r.partition) + " as JSON: " + ec.message()});
  out += *bytes;
  return true;
}

}  // namespace

proxy_result<std::string> records_json(const std::vector<consumed_record>& records, embedded_format format) {
  std::size_t estimate = 2;
  for (const auto& r : records) {
    const auto size = (r.record.key ? r.record.key->size() : 0) + (r.record.value ? r.record.value->size() : 0);
    estimate += size / 3 * 4 + r.topic.size() + 96;  // base64 grows by 4/3; the rest is field names
  }
  std::string out;
  out.reserve(estimate);
  out += '[';
  const std::string* topic = nullptr;  // the topic whose JSON string `quoted_topic` holds
  std::string quoted_topic;
  for (const auto& r : records) {
    if (out.size() > 1) out += ',';
    out += "{\"topic\":";
    if (!topic || *topic != r.topic) {
      topic = &r.topic;
      quoted_topic.clear();
      append_string(r.topic, quoted_topic);
    }
    out += quoted_topic;
    out += ",\"key\":";
    if (auto ok = append_field(r.record.key, format, r, "key", out); !ok) return fail(ok.error());
    out += ",\"value\":";
    if (auto ok = append_field(r.record.value, format, r, "value", out); !ok) return fail(ok.error());
    out += ",\"partition\":" + std::to_string(r.partition) + ",\"offset\":" + std::to_string(r.record.offset);
    if (!r.record.headers.empty()) {
      out += ",\"headers\":[";
      bool first = true;
      for (const auto& h : r.record.headers) {
        if (!first) out += ',';
        first = false;
        out += "{\"name\":";
        append_string(h.key, out);
        out += ",\"value\":";
        if (h.value) {
          out += '"';
          base64_append(*h.value, out);
          out += '"';
        } else {
          out += "null";
        }
        out += '}';
      }
      out += ']';
    }
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace tributary::restproxy
