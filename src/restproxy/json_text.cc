#include "restproxy/json_text.h"

#include <boost/json/serialize.hpp>

#include "common/double_text.h"


namespace tributary::restproxy {

void append_compact_json(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); return;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case boost::json::kind::double_: append_double_text(v.get_double(), out); return;
    case boost::json::kind::string: out += boost::json::serialize(v.get_string()); return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_compact_json(item, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        append_compact_json(item, out);
      }
      out += '}';
      return;
    }
  }
}

boost::json::parse_options record_data_parse_options() {
  boost::json::parse_options options;
  options.max_depth = 512;
  return options;
}

std::string compact_json(const boost::json::value& v) {
  std::string out;
  append_compact_json(v, out);
  return out;
}

}  // namespace tributary::restproxy
