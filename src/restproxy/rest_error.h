// rest_error: the REST proxy's error envelope (../shared/spec/kafka-rest-proxy.md §2, §8):
// `{"error_code": <status or status*100+subcode>, "message": "..."}` on every 4xx/5xx, and the
// errors the proxy's parts return to each other (errors are values; `proxy_result`). Pure.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "net/http_session.h"

namespace tributary::restproxy {

struct rest_error {
  unsigned status = 500;  // HTTP status
  int error_code = 500;   // status, or status * 100 + subcode
  std::string message;
};

template <typename T>
using proxy_result = result<T, rest_error>;

// Errors named by the spec's catalogue, with its exact messages.
rest_error http_status_error(unsigned status);  // 404 "HTTP 404 Not Found", 405, 406, 415, 500
rest_error topic_not_found();                   // 404 40401
rest_error partition_not_found();               // 404 40402
rest_error consumer_instance_not_found();       // 404 40403
rest_error consumer_format_mismatch();          // 406 40601
rest_error consumer_already_exists();           // 409 40902
rest_error illegal_state(std::string_view detail);  // 409 40903 "Illegal state: ..."
rest_error unprocessable(std::string message);      // 422 422
rest_error bad_request(std::string detail);          // 400 400 "Bad Request: ..."
rest_error kafka_error(std::string detail, bool retriable);  // 500 50002 / 50003 "Kafka error: ..."

// The error as an HTTP response with a JSON body of the given media type.
net::http_response error_response(const rest_error& e, std::string_view content_type, unsigned version);

}  // namespace tributary::restproxy
