// CreateTopics (19): creates each topic with the broker's defaults for a new topic overridden by the
// request's configs (kafka-protocol.md §7). One node: replication factor 1 only, no manual
// assignments. num_partitions / replication_factor -1 mean the broker default (KIP-464; clients
// send -1 from v4, and Kafka accepts it in any version). validate_only (v1+) checks everything
// creation would and creates nothing.
#include <map>

#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

using creatable_topic = protocol::create_topics_request::creatable_topic;

// The bound of kafka.default-partitions: far more partitions than one node should serve, each a
// directory with open segment files.
constexpr std::int32_t max_partitions = 10000;

struct outcome {
  error_code error = error_code::none;
  std::string message;
};

outcome create(request_context& ctx, const creatable_topic& t, bool validate_only) {
  if (auto valid = log::validate_topic_name(t.name); !valid) {
    return {error_code::invalid_topic_exception, valid.error().message};
  }
  if (ctx.b.log().find_topic(t.name)) {
    return {error_code::topic_already_exists, "topic '" + t.name + "' already exists"};
  }
  if (!t.assignments.empty()) {
    return {error_code::invalid_request,
            "manual partition assignments are not supported: give num_partitions and replication_factor"};
  }
  if (t.num_partitions != -1 && (t.num_partitions <= 0 || t.num_partitions > max_partitions)) {
    return {error_code::invalid_partitions, "number of partitions must be from 1 to " + std::to_string(max_partitions) +
                                                " (or -1 for the default), not " + std::to_string(t.num_partitions)};
  }
  if (t.replication_factor != -1 && t.replication_factor != 1) {
    return {error_code::invalid_replication_factor,
            "replication factor must be 1 on this single-node broker (or -1 for the default), not " +
                std::to_string(t.replication_factor)};
  }
  std::map<std::string, std::string> overrides;
  for (const auto& c : t.configs) {
    if (!c.value) return {error_code::invalid_config, "null value for topic config " + c.name};
    overrides[c.name] = *c.value;
  }
  log::topic_config config = ctx.b.config_for_new_topic(t.name, t.num_partitions);
  if (auto applied = config.apply(overrides); !applied) return {error_code::invalid_config, applied.error().message};
  if (validate_only) return {};
  auto created = ctx.b.log().create_topic(t.name, config);
  if (!created) return {to_kafka(created.error().code), created.error().message};
  return {};
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_create_topics(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::create_topics_request, protocol::create_topics_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::create_topics_request& req)
                            -> boost::asio::awaitable<protocol::create_topics_response> {
        protocol::create_topics_response r;
        std::map<std::string, int> mentions;
        for (const auto& t : req.topics) ++mentions[t.name];
        for (const auto& t : req.topics) {
          // Kafka answers every copy of a name given twice with INVALID_REQUEST and creates none.
          const outcome o = mentions[t.name] > 1 ? outcome{error_code::invalid_request, "duplicate topic name"}
                                                 : create(ctx, t, req.validate_only);
          protocol::create_topics_response::creatable_topic_result out;
          out.name = t.name;
          out.error_code = code(o.error);
          out.error_message = o.error == error_code::none ? std::nullopt : std::optional<std::string>(o.message);
          r.topics.push_back(std::move(out));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
