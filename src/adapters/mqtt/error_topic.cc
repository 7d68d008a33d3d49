#include "adapters/mqtt/error_topic.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "adapters/mqtt/topic_address.h"
#include "common/rfc3339.h"

namespace tributary::adapters::mqtt {

std::optional<error_subscription> parse_error_filter(std::string_view filter) {
  const auto segments = topic_segments(filter);
  if (segments.size() != 4 || segments[3] != "#") return std::nullopt;
  if (segments[0] != "e" && segments[0] != "error") return std::nullopt;
  if (segments[1] == "+" || segments[1] == "#" || segments[2] == "#") return std::nullopt;
  return error_subscription{std::string(segments[0]), std::string(segments[1]), std::string(segments[2])};
}

std::string error_topic_name(const error_subscription& s, const std::string& message_device,
                             const std::string& auth_device, std::string_view endpoint_segment,
                             const std::string& correlation_id, int status) {
  std::string device;
  const std::string& subscribed = s.device.empty() || s.device == "+" ? auth_device : s.device;
  if (!message_device.empty() && message_device != subscribed) device = message_device;
  else if (!s.device.empty() && s.device != "+") device = s.device;
  return s.endpoint_segment + "/" + s.tenant + "/" + device + "/" + std::string(error_endpoint_type(endpoint_segment)) +
         "/" + correlation_id + "/" + std::to_string(status);
}

std::string error_payload(int status, const std::string& message, const std::string& correlation_id,
                          std::chrono::system_clock::time_point now) {
  return boost::json::serialize(boost::json::object{
      {"code", status}, {"message", message}, {"timestamp", rfc3339_millis(now)}, {"correlation-id", correlation_id}});
}

std::string_view error_endpoint_type(std::string_view first) {
  if (first == "telemetry" || first == "t" || first == "event" || first == "e") return first;
  if (first == "command") return "command-response";
  if (first == "c") return "c-s";
  return "unknown";
}

}  // namespace tributary::adapters::mqtt
