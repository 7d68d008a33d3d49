// DescribeConfigs (32): a topic's real settings (log::topic_config::to_map) and a few of the
// broker's, so that admin clients round-trip what they created (kafka-protocol.md §7). Topic
// entries are not read-only (Kafka's are alterable) and are default when equal to what a new topic
// of that name gets; broker entries are read-only (nothing is dynamically alterable here). Resource
// types other than topic (2) and broker (4) get INVALID_REQUEST, as in Kafka's ConfigHelper.
#include <algorithm>
#include <map>

#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

using resource_result = protocol::describe_configs_response::describe_configs_result;
using config_entry = protocol::describe_configs_response::describe_configs_resource_result;

constexpr std::int8_t topic_resource = 2;
constexpr std::int8_t broker_resource = 4;

// DescribeConfigsResponse ConfigSource.
enum class config_source : std::int8_t { topic = 1, static_broker = 4, default_config = 5 };
// DescribeConfigsResponse ConfigType (v3+).
enum class config_type : std::int8_t { boolean = 1, string = 2, int32 = 3, int64 = 5, list = 7 };

config_type topic_config_type(const std::string& name) {
  static const std::map<std::string, config_type> types = {
      {"cleanup.policy", config_type::list},    {"flush.ms", config_type::int64},
      {"flush.policy", config_type::string},    {"max.message.bytes", config_type::int32},
      {"retention.bytes", config_type::int64},  {"retention.ms", config_type::int64},
      {"segment.bytes", config_type::int32},    {"segment.ms", config_type::int64},
  };
  auto it = types.find(name);
  return it == types.end() ? config_type::string : it->second;
}

bool wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
  return !keys || std::find(keys->begin(), keys->end(), name) != keys->end();
}

config_entry entry(const std::string& name, std::string value, bool read_only, config_source source, config_type type) {
  config_entry e;
  e.name = name;
  e.value = std::move(value);
  e.read_only = read_only;
  e.is_default = source == config_source::default_config || source == config_source::static_broker;
  e.config_source = static_cast<std::int8_t>(source);
  e.config_type = static_cast<std::int8_t>(type);
  e.documentation = std::nullopt;
  return e;
}

void describe_topic(request_context& ctx, const protocol::describe_configs_request::describe_configs_resource& res,
                    resource_result& out) {
  if (auto valid = log::validate_topic_name(res.resource_name); !valid) {
    out.error_code = code(error_code::invalid_topic_exception);
    out.error_message = valid.error().message;
    return;
  }
  auto t = ctx.b.log().find_topic(res.resource_name);
  if (!t) {
    out.error_code = code(error_code::unknown_topic_or_partition);
    out.error_message = "topic '" + res.resource_name + "' does not exist";
    return;
  }
  const auto broker_default = ctx.b.config_for_new_topic(res.resource_name, -1).to_map();
  const auto built_in = log::topic_config{}.to_map();
  for (const auto& [name, value] : t->config().to_map()) {
    if (!wanted(res.configuration_keys, name)) continue;
    auto d = broker_default.find(name);
    config_source source = config_source::topic;
    if (d != broker_default.end() && d->second == value) {
      auto b = built_in.find(name);
      source = b != built_in.end() && b->second == value ? config_source::default_config : config_source::static_broker;
    }
    out.configs.push_back(entry(name, value, false, source, topic_config_type(name)));
  }
}

void describe_broker(request_context& ctx, const protocol::describe_configs_request::describe_configs_resource& res,
                     resource_result& out) {
  const broker_config& c = ctx.b.config();
  // Kafka accepts its own broker id, or the empty name for the cluster-wide defaults.
  if (!res.resource_name.empty() && res.resource_name != std::to_string(c.node_id)) {
    out.error_code = code(error_code::invalid_request);
    out.error_message = "unexpected broker id " + res.resource_name + ", expected " + std::to_string(c.node_id) +
                        " or an empty name";
    return;
  }
  const broker_config built_in;
  struct item {
    const char* name;
    std::string value;
    std::string default_value;
    config_type type;
  };
  auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
  const item items[] = {
      {"broker.id", std::to_string(c.node_id), std::to_string(built_in.node_id), config_type::int32},
      {"auto.create.topics.enable", flag(c.auto_create_topics), flag(built_in.auto_create_topics),
       config_type::boolean},
      {"num.partitions", std::to_string(c.default_partitions), std::to_string(built_in.default_partitions),
       config_type::int32},
      {"default.replication.factor", "1", "1", config_type::int32},
      {"message.max.bytes", std::to_string(c.topic_defaults.max_message_bytes),
       std::to_string(built_in.topic_defaults.max_message_bytes), config_type::int32},
      {"log.retention.ms", std::to_string(c.topic_defaults.retention_ms),
       std::to_string(built_in.topic_defaults.retention_ms), config_type::int64},
      {"log.retention.bytes", std::to_string(c.topic_defaults.retention_bytes),
       std::to_string(built_in.topic_defaults.retention_bytes), config_type::int64},
      {"log.segment.bytes", std::to_string(c.topic_defaults.segment_bytes),
       std::to_string(built_in.topic_defaults.segment_bytes), config_type::int32},
      {"log.roll.ms", std::to_string(c.topic_defaults.segment_ms), std::to_string(built_in.topic_defaults.segment_ms),
       config_type::int64},
      {"log.cleanup.policy", c.topic_defaults.compact ? "compact" : "delete",
       built_in.topic_defaults.compact ? "compact" : "delete", config_type::list},
  };
  for (const auto& i : items) {
    if (!wanted(res.configuration_keys, i.name)) continue;
    const auto source = i.value == i.default_value ? config_source::default_config : config_source::static_broker;
    auto e = entry(i.name, i.value, true, source, i.type);
    e.is_default = source == config_source::default_config;
    out.configs.push_back(std::move(e));
  }
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_describe_configs(request_context& ctx, std::string& frame,
                                                            std::size_t body) {
  co_return co_await typed<protocol::describe_configs_request, protocol::describe_configs_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::describe_configs_request& req)
                            -> boost::asio::awaitable<protocol::describe_configs_response> {
        protocol::describe_configs_response r;
        for (const auto& res : req.resources) {
          resource_result out;
          out.resource_type = res.resource_type;
          out.resource_name = res.resource_name;
          out.error_message = std::nullopt;
          if (res.resource_type == topic_resource) {
            describe_topic(ctx, res, out);
          } else if (res.resource_type == broker_resource) {
            describe_broker(ctx, res, out);
          } else {
            out.error_code = code(error_code::invalid_request);
            out.error_message = "unsupported resource type " + std::to_string(res.resource_type);
          }
          r.results.push_back(std::move(out));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
