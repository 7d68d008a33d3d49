#include "commands/command.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "commands/request_id.h"
#include "messaging/hono_records.h"

namespace tributary::commands {
namespace {

const std::optional<std::string>* find_header(const log::record& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.key == name) return &h.value;
  }
  return nullptr;
}

// A header's string value; a header without a value counts as absent.
std::optional<std::string> header_value(const log::record& r, std::string_view name) {
  const auto* h = find_header(r, name);
  if (!h || !*h) return std::nullopt;
  return **h;
}

}  // namespace

result<command, command_rejection> parse_command(const std::string& tenant_id, const log::record& record) {
  command c;
  c.tenant_id = tenant_id;
  const auto device = header_value(record, "device_id");
  if (!device || !record.key || *device != *record.key) {
    return fail(command_rejection{command_errc::dropped, device ? "device_id header differs from the record key" : "no device_id header",
                                  false, std::move(c)});
  }
  c.device_id = *device;
  c.content_type = header_value(record, "content-type");
  c.payload = record.value;
  for (const auto& h : record.headers) {
    if (h.key.starts_with(failure_metadata_prefix)) c.failure_metadata.push_back({h.key, h.value.value_or("")});
  }
  // `response-required` is a JSON boolean; missing (or anything but true) means one-way.
  const bool response_required = header_value(record, "response-required") == std::optional<std::string>("true");
  if (response_required) {
    if (auto cid = header_value(record, "correlation-id"); cid && !cid->empty()) c.correlation_id = std::move(*cid);
  }
  auto malformed = [&](std::string message, bool respond) {
    return fail(command_rejection{command_errc::malformed, std::move(message), respond, std::move(c)});
  };
  if (response_required && !c.correlation_id) return malformed("malformed command message: request/response command without correlation-id", false);
  const auto subject = header_value(record, "subject");
  if (!subject || subject->empty()) return malformed("malformed command message: no subject", c.correlation_id.has_value());
  c.name = *subject;
  if (c.correlation_id && !encode_request_id(*c.correlation_id)) {
    return malformed("malformed command message: correlation-id longer than 255 bytes", true);
  }
  return c;
}

messaging::outgoing_record failure_response(const command& c, int status, std::string_view message, std::int64_t now_ms) {
  messaging::outgoing_record r;
  r.topic = messaging::hono_topic(messaging::hono_endpoint::command_response, c.tenant_id);
  r.key = c.device_id;
  r.value = boost::json::serialize(boost::json::value{{"error", message}});
  r.timestamp_ms = now_ms;
  r.headers = {{"correlation-id", c.correlation_id.value_or("")},
               {"creation-time", std::to_string(now_ms)},
               {"device_id", c.device_id},
               {"tenant_id", c.tenant_id},
               {"status", std::to_string(status)},
               {"content-type", delivery_failure_content_type}};
  for (const auto& m : c.failure_metadata) r.headers.push_back(m);
  return r;
}

}  // namespace tributary::commands
