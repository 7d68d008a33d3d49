// json_text: JSON values as compact text the way Jackson writes them (numbers in their shortest
// round-trip form: 21.5, not Boost.JSON's 2.15E1), for records the json embedded format stores.
// Pure.
#pragma once

#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace tributary::restproxy {

void append_compact_json(const boost::json::value& v, std::string& out);

// How record data is parsed (bodies carrying records, stored json and avro records): nesting up to
// 512 levels, where Boost.JSON's default stops at 32 (Jackson's at 1000).
boost::json::parse_options record_data_parse_options();
std::string compact_json(const boost::json::value& v);

}  // namespace tributary::restproxy
