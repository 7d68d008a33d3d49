#include "adapters/mqtt/command_topic.h"

#include "adapters/mqtt/topic_address.h"

namespace tributary::adapters::mqtt {

std::optional<command_subscription> parse_command_filter(std::string_view filter) {
  const auto segments = topic_segments(filter);
  if (segments.size() != 5 || segments[4] != "#") return std::nullopt;
  if (segments[0] != "command" && segments[0] != "c") return std::nullopt;
  if (segments[3] != "req" && segments[3] != "q") return std::nullopt;
  if (segments[1] == "+" || segments[1] == "#" || segments[2] == "#") return std::nullopt;
  return command_subscription{std::string(segments[0]), std::string(segments[3]), std::string(segments[1]), std::string(segments[2])};
}

std::string command_topic_name(const command_subscription& s, const std::string& target_device, const std::string& subscriber,
                               const std::string& request_id, const std::string& command_name) {
  std::string device;
  if (target_device != subscriber) device = target_device;
  else if (s.device != "+") device = s.device;
  return s.endpoint_segment + "/" + s.tenant + "/" + device + "/" + s.req_segment + "/" + request_id + "/" + command_name;
}

}  // namespace tributary::adapters::mqtt
