// Produce (0): validates and appends each partition's record batches, answering after the log
// acknowledges them (acks 1 and -1 are the same on one node; acks 0 gets no response at all).
// Produce never creates topics (kafka-protocol.md §6 "Broker duties on Produce").
#include "common/big_endian.h"
#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"

namespace tributary::kafka::broker {

namespace {

// Appends every batch of one partition's records; the response carries the first base offset.
boost::asio::awaitable<protocol::produce_response::partition_produce_response> produce_partition(
    request_context& ctx, const std::string& topic, std::int32_t index, std::string& records) {
  protocol::produce_response::partition_produce_response out;
  out.index = index;
  auto fail_with = [&](error_code e, std::string message) {
    out.error_code = code(e);
    out.error_message = std::move(message);
    out.base_offset = -1;
    return out;
  };
  auto t = ctx.b.log().find_topic(topic);
  auto partition = t ? t->get(index) : nullptr;
  if (!partition) co_return fail_with(error_code::unknown_topic_or_partition, "unknown topic or partition");
  if (records.empty()) co_return fail_with(error_code::corrupt_message, "no record batch");
  auto* bytes = reinterpret_cast<std::uint8_t*>(records.data());
  std::size_t pos = 0;
  bool first = true;
  while (pos < records.size()) {
    auto h = log::parse_batch_header({bytes + pos, records.size() - pos});
    if (!h || h->size() > records.size() - pos) {
      co_return fail_with(error_code::corrupt_message, h ? "record batch truncated" : h.error().message);
    }
    if (h->transactional()) co_return fail_with(error_code::invalid_record, "transactions are not supported");
    if (h->codec() == log::compression::zstd && ctx.version < 7) {
      co_return fail_with(error_code::unsupported_compression_type, "zstd needs Produce v7");
    }
    auto appended = co_await async_append(*partition, {bytes + pos, h->size()});
    if (!appended) co_return fail_with(to_kafka(appended.error().code), appended.error().message);
    if (first) {
      out.base_offset = appended->base_offset;
      first = false;
    }
    out.log_start_offset = appended->log_start_offset;
    pos += h->size();
  }
  co_return out;
}

}  // namespace

boost::asio::awaitable<api_outcome> handle_produce(request_context& ctx, std::string& frame, std::size_t body) {
  protocol::reader r({reinterpret_cast<const std::uint8_t*>(frame.data()) + body, frame.size() - body}, body);
  auto req = protocol::produce_request::decode(r, ctx.version);
  if (!req) co_return api_outcome{std::nullopt, true, req.error().message};
  protocol::produce_response resp;
  const bool valid_acks = req->acks == 0 || req->acks == 1 || req->acks == -1;
  for (auto& topic : req->topic_data) {
    protocol::produce_response::topic_produce_response t;
    t.name = topic.name;
    for (auto& p : topic.partition_data) {
      if (!valid_acks) {
        protocol::produce_response::partition_produce_response out;
        out.index = p.index;
        out.error_code = code(error_code::invalid_required_acks);
        out.base_offset = -1;
        t.partition_responses.push_back(std::move(out));
        continue;
      }
      std::string empty;
      t.partition_responses.push_back(co_await produce_partition(ctx, topic.name, p.index, p.records ? *p.records : empty));
    }
    resp.responses.push_back(std::move(t));
  }
  if (req->acks == 0 && valid_acks) co_return api_outcome{};  // no response at all
  std::string out;
  protocol::writer w(out);
  resp.encode(w, ctx.version);
  if (!w.ok()) co_return api_outcome{std::nullopt, true, "ProduceResponse: " + w.error()};
  co_return api_outcome{std::move(out), false, {}};
}

}  // namespace tributary::kafka::broker
