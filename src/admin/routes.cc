#include "admin/routes.h"

namespace tributary::admin {

namespace http = net::http;

net::http_response routes::handle(const net::http_request& req) const {
  const std::string_view target = req.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const bool known = path == "/health/live" || path == "/health/ready" || path == "/metrics";
  if (!known) return net::json_error(http::status::not_found, "no such resource: " + std::string(path), req.version());
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = net::json_error(http::status::method_not_allowed, "only GET and HEAD are allowed", req.version());
    res.set(http::field::allow, "GET, HEAD");
    return res;
  }
  net::http_response res{http::status::ok, req.version()};
  if (path == "/metrics") {
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = metrics_.render();
  } else {
    res.set(http::field::content_type, "application/json");
    if (path == "/health/live") {
      res.body() = R"({"status":"UP"})";
    } else {
      res.result(health_.ready() ? http::status::ok : http::status::service_unavailable);
      res.body() = health_.ready_json();
    }
  }
  res.set(http::field::cache_control, "no-store");
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

}  // namespace tributary::admin
