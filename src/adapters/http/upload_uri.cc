#include "adapters/http/upload_uri.h"

#include <boost/url/parse.hpp>

namespace tributary::adapters::http {

const std::string* upload_uri::param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

result<upload_uri, uri_error> parse_upload_uri(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return fail(uri_error{400, "malformed request target"});
  const boost::urls::url_view url = *parsed;
  std::vector<std::string> segments;
  for (auto s : url.segments()) segments.push_back(s);
  upload_uri u;
  for (const auto& p : url.params()) u.query.emplace_back(p.key, p.has_value ? std::string(p.value) : std::string());
  if (segments.empty()) return fail(uri_error{404, "no such resource"});
  if (segments[0] == "telemetry") u.endpoint = upload_endpoint::telemetry;
  else if (segments[0] == "event") u.endpoint = upload_endpoint::event;
  else if (segments[0] == "command" && segments.size() >= 2 && segments[1] == "res") u.endpoint = upload_endpoint::command_response;
  else return fail(uri_error{404, "no such resource"});
  if (u.endpoint == upload_endpoint::command_response) {
    if (segments.size() == 3 && !segments[2].empty()) {
      u.request_id = segments[2];
      return u;
    }
    if (segments.size() != 5 || segments[3].empty() || segments[4].empty()) {
      return fail(uri_error{404, "request URI must contain tenant, device and request ID"});
    }
    u.has_address = true;
    u.tenant = segments[2];
    u.device = segments[3];
    u.request_id = segments[4];
    return u;
  }
  if (segments.size() == 1) return u;
  if (segments.size() == 2) return fail(uri_error{404, "request URI must contain device ID"});
  if (segments.size() > 3 || segments[2].empty()) return fail(uri_error{404, "request URI must contain device ID"});
  u.has_address = true;
  u.tenant = segments[1];
  u.device = segments[2];
  return u;
}

}  // namespace tributary::adapters::http
