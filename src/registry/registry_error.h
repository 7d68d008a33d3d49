// registry_error: the outcomes of registry operations, one enum for the management API, the store
// and the lookups. Each value maps to exactly one HTTP status in management_api.cc and to one
// protocol answer per adapter (their own tables).
#pragma once

#include <string>

#include "common/result.h"

namespace tributary::registry {

enum class registry_errc {
  bad_request,          // malformed id, JSON, paging, unknown property, invalid value (400)
  unauthorized,         // management API: missing or wrong credentials (401); lookups: bad secret
  forbidden,            // registration limit reached, gateway not authorized (403)
  not_found,            // unknown tenant, device or credentials (404)
  conflict,             // id, alias, auth-id or trust anchor already used (409)
  precondition_failed,  // If-Match does not name the current version (412)
  payload_too_large,    // request body above the configured limit (413)
  unavailable,          // the store failed (503)
};

using registry_error = coded_error<registry_errc>;

template <typename T>
using registry_result = result<T, registry_error>;

inline failure<registry_error> registry_fail(registry_errc code, std::string message) {
  return fail(registry_error{code, std::move(message)});
}

}  // namespace tributary::registry
