// Fetch (1): whole stored batches from the one containing each fetch offset, up to the byte limits
// (at least one batch), held until min_bytes are there or max_wait_ms passes (long poll) without
// blocking other connections. Sessionless: session_id is always 0 (kafka-protocol.md §6).
#include <chrono>

#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

using clock = std::chrono::steady_clock;

struct fetch_pass {
  protocol::fetch_response response;
  std::size_t bytes = 0;
  bool any_error = false;
  std::vector<wait_target> waits;
};

fetch_pass read_all(request_context& ctx, const protocol::fetch_request& req) {
  fetch_pass pass;
  std::size_t budget = req.max_bytes > 0 ? static_cast<std::size_t>(req.max_bytes) : 0;
  for (const auto& topic : req.topics) {
    protocol::fetch_response::fetchable_topic_response t;
    t.topic = topic.topic;
    auto log_topic = ctx.b.log().find_topic(topic.topic);
    for (const auto& p : topic.partitions) {
      protocol::fetch_response::partition_data out;
      out.partition_index = p.partition;
      out.records = std::string();  // empty, not null: librdkafka rejects a null record set
      auto partition = log_topic ? log_topic->get(p.partition) : nullptr;
      if (!partition) {
        out.error_code = code(error_code::unknown_topic_or_partition);
        pass.any_error = true;
        t.partitions.push_back(std::move(out));
        continue;
      }
      // KIP-74: the first partition with data gets at least one whole batch whatever the limits.
      const std::size_t limit = std::min<std::size_t>(static_cast<std::size_t>(std::max(p.partition_max_bytes, 0)), budget);
      auto read = partition->read(p.fetch_offset, pass.bytes == 0 ? std::max<std::size_t>(limit, 1) : limit);
      if (!read) {
        out.error_code = code(to_kafka(read.error().code));
        out.high_watermark = partition->high_watermark();
        out.log_start_offset = partition->log_start_offset();
        out.last_stable_offset = out.high_watermark;
        pass.any_error = true;
        t.partitions.push_back(std::move(out));
        continue;
      }
      if (pass.bytes > 0 && read->bytes.size() > limit) read->bytes.clear();  // over budget: next fetch
      out.high_watermark = read->high_watermark;
      out.last_stable_offset = read->high_watermark;
      out.log_start_offset = read->log_start_offset;
      if (read->bytes.empty()) {
        pass.waits.push_back({partition, p.fetch_offset});
      } else {
        pass.bytes += read->bytes.size();
        budget -= std::min(budget, read->bytes.size());
        out.records = std::move(read->bytes);
      }
      t.partitions.push_back(std::move(out));
    }
    pass.response.responses.push_back(std::move(t));
  }
  return pass;
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_fetch(request_context& ctx, std::string& frame, std::size_t body) {
  co_return co_await typed<protocol::fetch_request, protocol::fetch_response>(
      ctx, frame, body, [](request_context& ctx, const protocol::fetch_request& req)
                            -> boost::asio::awaitable<protocol::fetch_response> {
        const auto deadline = clock::now() + std::chrono::milliseconds(std::max(req.max_wait_ms, 0));
        const std::size_t min_bytes = static_cast<std::size_t>(std::max(req.min_bytes, 0));
        for (;;) {
          fetch_pass pass = read_all(ctx, req);
          const auto now = clock::now();
          if (pass.bytes >= std::max<std::size_t>(min_bytes, 1) || pass.any_error || now >= deadline ||
              pass.waits.empty()) {
            co_return std::move(pass.response);
          }
          co_await wait_for_any(std::move(pass.waits),
                                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        }
      });
}

}  // namespace tributary::kafka::broker
