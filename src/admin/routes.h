// routes: the admin HTTP API (health and Prometheus metrics) as a pure request -> response
// function, served by net::serve_http on the admin listener. Reads health and metrics; owns neither.
#pragma once

#include "admin/health.h"
#include "metrics/registry.h"
#include "net/http_session.h"

namespace tributary::admin {

class routes {
 public:
  routes(const health& h, const metrics::registry& m) : health_(h), metrics_(m) {}
  net::http_response handle(const net::http_request& req) const;

 private:
  const health& health_;
  const metrics::registry& metrics_;
};

}  // namespace tributary::admin
