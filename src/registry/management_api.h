// management_api: the HTTP mapping of the Device Registry Management API (spec/hono.md §4.1):
// routing, authentication, content types, query parameters, ETag/If-Match, JSON bodies and the one
// table from registry outcomes to HTTP statuses. A request -> response function; blocking (it calls
// management), so the server runs it on the blocking pool.
#pragma once

#include <string>

#include "net/http_session.h"
#include "registry/management.h"

namespace tributary::registry {

struct management_api_options {
  std::string basic_users;   // "name:password,..." for HTTP Basic; empty = no Basic authentication
  std::string bearer_token;  // empty = no bearer authentication
};

class management_api {
 public:
  management_api(management& m, management_api_options options) : management_(m), options_(std::move(options)) {}

  net::http_response handle(const net::http_request& req);

  // True when requests must carry credentials.
  bool authentication_required() const { return !options_.basic_users.empty() || !options_.bearer_token.empty(); }

 private:
  bool authorized(const net::http_request& req) const;

  management& management_;
  management_api_options options_;
};

}  // namespace tributary::registry
