// upload_uri: what an HTTP request to Hono's HTTP adapter addresses (spec/hono.md §2.2): the
// endpoint, tenant and device of telemetry and event uploads, and query parameters. Pure; the
// adapter applies who may use which form.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace tributary::adapters::http {

enum class upload_endpoint { telemetry, event, command_response };

struct upload_uri {
  upload_endpoint endpoint = upload_endpoint::telemetry;
  bool has_address = false;  // PUT form: /telemetry/<tenant>/<device> (tenant may be empty)
  std::string tenant;
  std::string device;
  std::string request_id;  // command responses: POST /command/res/<id>, PUT /command/res/<tenant>/<device>/<id>
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  const std::string* param(std::string_view name) const;
};

struct uri_error {
  int status;
  std::string message;
};

// The path and query of a request target. 404 for unknown paths, for a PUT form without device and
// for a command response path that is neither /command/res/<id> nor /command/res/<tenant>/<device>/<id>.
result<upload_uri, uri_error> parse_upload_uri(std::string_view target);

}  // namespace tributary::adapters::http
