// DeleteTopics (20): deletes topics by name (v0-3; v6 topic ids are not advertised), answering
// UNKNOWN_TOPIC_OR_PARTITION for missing ones (kafka-protocol.md §7). __consumer_offsets holds the
// broker's committed offsets and is refused with INVALID_REQUEST: Kafka itself would delete it
// (ControllerApis.deleteTopics has no internal-topic check; only its CLI refuses), which here would
// pull the offset store's log from under it.
#include <map>

#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_delete_topics(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::delete_topics_request, protocol::delete_topics_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::delete_topics_request& req)
                            -> boost::asio::awaitable<protocol::delete_topics_response> {
        protocol::delete_topics_response r;
        std::map<std::string, int> mentions;
        for (const auto& name : req.topic_names) ++mentions[name];
        for (const auto& name : req.topic_names) {
          error_code e = error_code::none;
          std::string message;
          if (mentions[name] > 1) {
            e = error_code::invalid_request;  // as Kafka: "Duplicate topic name."
            message = "duplicate topic name";
          } else if (name == offset_store::topic_name) {
            e = error_code::invalid_request;
            message = name + " holds the committed offsets and cannot be deleted";
          } else if (!ctx.b.log().find_topic(name)) {
            e = error_code::unknown_topic_or_partition;
            message = "topic '" + name + "' does not exist";
          } else if (auto deleted = ctx.b.log().delete_topic(name); !deleted) {
            e = to_kafka(deleted.error().code);
            message = deleted.error().message;
          }
          protocol::delete_topics_response::deletable_topic_result out;
          out.name = name;
          out.error_code = code(e);
          if (e != error_code::none) out.error_message = message;  // v5+ only on the wire
          r.responses.push_back(std::move(out));
        }
        co_return r;
      });
}

}  // namespace tributary::kafka::broker
