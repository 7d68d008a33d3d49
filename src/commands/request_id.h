// request_id: the request id a device sees for a request/response command (MQTT `${req-id}`, HTTP
// `hono-cmd-req-id`) and gives back with its response, spec/hono.md §1.7: for Kafka
// "2" + two lowercase hex digits of the correlation id's length + the correlation id. Pure; used by
// the command router (encode) and the adapters (decode).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace tributary::commands {

enum class request_id_errc {
  invalid,  // not a request id this hub handed out: the response is refused with 400
};
using request_id_error = coded_error<request_id_errc>;

// The request id for `correlation_id` (1 to 255 bytes: the length has two hex digits).
result<std::string, request_id_error> encode_request_id(std::string_view correlation_id);

// The correlation id inside `request_id`. The first digit is Hono's flag digit, whose bits 1-2 name
// the messaging type; only Kafka's (1, i.e. "2" or "3") is accepted. What follows the correlation
// id (Hono's reply-to id when bit 0 is set) is ignored.
result<std::string, request_id_error> decode_request_id(std::string_view request_id);

}  // namespace tributary::commands
