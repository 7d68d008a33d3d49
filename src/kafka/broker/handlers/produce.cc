// Produce (0): validates and appends each partition's record batches, answering after the log
// acknowledges them (acks 1 and -1 are the same on one node; acks 0 gets no response at all).
// Produce never creates topics (kafka-protocol.md §6 "Broker duties on Produce"). Batches of
// idempotent producers (producer id >= 0) are sequence-checked against producer_state first (§6
// item 7): a retry of one of the producer's last five batches is answered with the original
// offsets and error NONE, as Kafka does, instead of being appended twice.
#include <chrono>
#include <functional>
#include <mutex>

#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/handlers.h"
#include "kafka/broker/handlers/typed.h"
#include "kafka/broker/producer_state.h"

namespace tributary::kafka::broker {

namespace {

using partition_response = protocol::produce_response::partition_produce_response;

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What became of one idempotent batch: the sequence check and, when it was appended, the log's
// answer.
struct sequenced_append {
  sequence_check check;
  std::optional<log::log_result<log::append_info>> appended;
};

// Tells append_batch's immediate answer (validation errors; every answer but the fsync-pending one)
// from its later one (policy always: from the flusher thread once fsynced).
struct append_probe {
  std::mutex mutex;
  bool returned = false;
  std::optional<log::log_result<log::append_info>> early;
  std::function<void(sequenced_append)> done;
};

// Checks and appends one idempotent batch under the partition's producer lock (not a coroutine:
// the lock is never held across a suspension).
void append_in_sequence(const std::shared_ptr<partition_producers>& producers,
                        const std::shared_ptr<log::partition>& partition, std::span<std::uint8_t> batch,
                        const log::batch_header& header, std::function<void(sequenced_append)> done) {
  const batch_sequence seq = batch_sequence::of(header);
  auto probe = std::make_shared<append_probe>();
  probe->done = done;
  sequence_check check = producers->offer(seq, steady_ms(), [&]() -> std::optional<offset_range> {
    partition->append_batch(batch, [probe, producers, pid = seq.producer_id](log::log_result<log::append_info> r) {
      std::unique_lock lock(probe->mutex);
      if (!probe->returned) {
        probe->early = std::move(r);
        return;
      }
      lock.unlock();
      // The batch is recorded but its fsync failed (the partition now refuses appends): a retry
      // must not be taken for a stored duplicate.
      if (!r) producers->forget(pid);
      probe->done(sequenced_append{{}, std::move(r)});
    });
    std::lock_guard lock(probe->mutex);
    probe->returned = true;
    if (probe->early) {
      if (!*probe->early) return std::nullopt;
      return offset_range{(*probe->early)->base_offset, (*probe->early)->last_offset};
    }
    // Taken, waiting for its fsync: append_batch has written the assigned base offset into it.
    auto assigned = log::parse_batch_header(batch);
    if (!assigned) return std::nullopt;  // cannot happen: the log validated these bytes
    return offset_range{assigned->base_offset, assigned->last_offset()};
  });
  if (check.kind != sequence_check::verdict::append) {
    done(sequenced_append{std::move(check), std::nullopt});
  } else if (probe->early) {
    done(sequenced_append{std::move(check), std::move(*probe->early)});
  }  // else the log's callback answers once the batch is fsynced
}

// Appends every batch of one partition's records; the response carries the first base offset.
boost::asio::awaitable<partition_response> produce_partition(request_context& ctx, const std::string& topic,
                                                             std::int32_t index, std::string& records,
                                                             std::int32_t timeout_ms) {
  partition_response out;
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
    std::span<std::uint8_t> batch{bytes + pos, h->size()};
    std::int64_t base_offset = -1;
    std::int64_t log_start_offset = -1;
    if (h->producer_id < 0) {
      auto appended = co_await async_append(*partition, batch);
      if (!appended) co_return fail_with(to_kafka(appended.error().code), appended.error().message);
      base_offset = appended->base_offset;
      log_start_offset = appended->log_start_offset;
    } else {
      if (h->producer_epoch < 0 || h->base_sequence < 0) {
        co_return fail_with(error_code::invalid_record, "a batch with a producer id needs an epoch and a sequence");
      }
      auto start = [producers = ctx.b.producers().for_partition(partition), partition, batch,
                    header = *h](std::function<void(sequenced_append)> done) {
        append_in_sequence(producers, partition, batch, header, std::move(done));
      };
      sequenced_append result = co_await async_call<sequenced_append>(std::move(start));
      switch (result.check.kind) {
        case sequence_check::verdict::reject:
          co_return fail_with(result.check.error, std::move(result.check.message));
        case sequence_check::verdict::append:
          if (!result.appended) co_return fail_with(error_code::unknown_server_error, "no answer from the log");
          if (!*result.appended) {
            co_return fail_with(to_kafka(result.appended->error().code), result.appended->error().message);
          }
          base_offset = (*result.appended)->base_offset;
          log_start_offset = (*result.appended)->log_start_offset;
          break;
        case sequence_check::verdict::duplicate: {
          // Answer the retry only once the original is as durable as its own answer would be.
          const std::int64_t last = result.check.offsets.last_offset;
          const auto deadline =
              std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
          while (partition->high_watermark() <= last) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
              co_return fail_with(error_code::request_timed_out, "the original of this retry is not stored yet");
            }
            std::vector<wait_target> targets{{partition, last}};
            co_await wait_for_any(std::move(targets),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
          }
          base_offset = result.check.offsets.base_offset;
          log_start_offset = partition->log_start_offset();
          break;
        }
      }
    }
    if (first) {
      out.base_offset = base_offset;
      first = false;
    }
    out.log_start_offset = log_start_offset;
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
        partition_response out;
        out.index = p.index;
        out.error_code = code(error_code::invalid_required_acks);
        out.base_offset = -1;
        t.partition_responses.push_back(std::move(out));
        continue;
      }
      std::string empty;
      t.partition_responses.push_back(
          co_await produce_partition(ctx, topic.name, p.index, p.records ? *p.records : empty, req->timeout_ms));
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
