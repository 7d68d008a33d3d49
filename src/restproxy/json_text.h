// json_text: JSON values as compact text the way Jackson writes them (numbers in their shortest
// round-trip form: 21.5, not Boost.JSON's 2.15E1), for records the json embedded format stores.
// Pure.
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace tributary::restproxy {

void append_compact_json(const boost::json::value& v, std::string& out);
std::string compact_json(const boost::json::value& v);

}  // namespace tributary::restproxy
