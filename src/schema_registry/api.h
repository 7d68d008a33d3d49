// api: Confluent's schema registry REST API (the subset clients use: subjects, versions, schemas
// by id, lookup, compatibility checks and config) as a request -> response function over `store`.
// Synchronous (the store fsyncs on writes): the server runs it off the I/O threads. Errors are
// {"error_code", "message"} with the registry's codes (40401, 40402, 40403, 42201, 409, ...).
#pragma once

#include "net/http_session.h"
#include "schema_registry/store.h"

namespace tributary::schema_registry {

class api {
 public:
  explicit api(store& s) : store_(s) {}
  net::http_response handle(const net::http_request& req) const;

 private:
  store& store_;
};

}  // namespace tributary::schema_registry
