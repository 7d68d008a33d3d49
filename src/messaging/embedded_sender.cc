#include "messaging/embedded_sender.h"

#include <boost/asio/post.hpp>

#include "common/murmur2.h"
#include "net/io_pool.h"

namespace tributary::messaging {
namespace {

std::atomic<std::uint64_t> next_sender_id{1};

// This thread's batch of the sender with that id (one sender at a time per thread is the rule;
// another id just takes the slot over).
thread_local std::uint64_t batch_owner = 0;
thread_local void* batch_slot = nullptr;

messaging_error to_messaging_error(const log::log_error& e) {
  const auto code = e.code;
  const messaging_errc mapped = code == log::log_errc::overloaded || code == log::log_errc::closed ? messaging_errc::unavailable
                                : code == log::log_errc::message_too_large                        ? messaging_errc::rejected
                                                                                                  : messaging_errc::internal;
  return messaging_error{mapped, e.message};
}

// An upper bound of a record's size in a v2 batch (varints of at most 5/10 bytes, attributes,
// deltas): groups stay under the partition's max.message.bytes without encoding twice.
std::size_t size_bound(const log::record& r) {
  std::size_t n = 40 + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& h : r.headers) n += 10 + h.key.size() + (h.value ? h.value->size() : 0);
  return n;
}
constexpr std::size_t batch_overhead = 61;

}  // namespace

embedded_sender::embedded_sender(topic_provider topics) : id_(next_sender_id.fetch_add(1)), topics_(std::move(topics)) {}

std::shared_ptr<log::topic> embedded_sender::topic(const std::string& name, std::string& why) {
  {
    std::shared_lock lock(mutex_);
    if (const auto it = known_.find(name); it != known_.end() && !it->second->get(0)->is_closed()) return it->second;
  }
  auto t = topics_(name, why);
  if (!t || t->partition_count() == 0) return t;
  std::unique_lock lock(mutex_);
  known_[name] = t;
  return t;
}

embedded_sender::turn_batch& embedded_sender::batch_of_this_thread() {
  if (batch_owner == id_) return *static_cast<turn_batch*>(batch_slot);
  std::lock_guard lock(batches_mutex_);
  batches_.push_back(std::make_unique<turn_batch>());
  batch_owner = id_;
  batch_slot = batches_.back().get();
  return *batches_.back();
}

void embedded_sender::send(outgoing_record r, send_callback done) {
  std::string why;
  auto topic = this->topic(r.topic, why);
  if (!topic || topic->partition_count() == 0) {
    done(fail(messaging_error{messaging_errc::rejected, "cannot store to topic " + r.topic + ": " + why}));
    return;
  }
  const int partitions = static_cast<int>(topic->partition_count());
  const int index = r.key ? java_partition(*r.key, partitions)
                          : static_cast<int>(round_robin_.fetch_add(1, std::memory_order_relaxed) % partitions);
  pending p{topic->get(index), {}, std::move(done)};
  p.record.timestamp = r.timestamp_ms;
  p.record.key = std::move(r.key);
  p.record.value = std::move(r.value);
  p.record.headers.reserve(r.headers.size());
  for (auto& h : r.headers) p.record.headers.push_back({std::move(h.name), std::move(h.value)});

  auto* context = net::io_pool::current();
  if (!context) {
    std::vector<log::record> one;
    one.push_back(std::move(p.record));
    std::vector<send_callback> callbacks;
    callbacks.push_back(std::move(p.done));
    append(p.partition, std::move(one), std::move(callbacks));
    return;
  }
  turn_batch& batch = batch_of_this_thread();
  batch.items.push_back(std::move(p));
  if (!batch.flush_posted) {
    // Runs after the handlers already queued on this thread: the rest of this turn's reads.
    batch.flush_posted = true;
    boost::asio::post(*context, [this, &batch] { flush(batch); });
  }
}

void embedded_sender::flush(turn_batch& batch) {
  batch.flush_posted = false;
  std::vector<pending> items;
  items.swap(batch.items);
  std::vector<bool> taken(items.size(), false);
  for (std::size_t first = 0; first < items.size(); ++first) {
    if (taken[first]) continue;
    const auto& partition = items[first].partition;
    const auto limit = static_cast<std::size_t>(std::max<std::int64_t>(partition->max_message_bytes(), 0));
    std::vector<log::record> records;
    std::vector<send_callback> callbacks;
    std::size_t bound = batch_overhead;
    for (std::size_t i = first; i < items.size(); ++i) {
      if (taken[i] || items[i].partition != partition) continue;
      const std::size_t size = size_bound(items[i].record);
      if (!records.empty() && bound + size > limit) {
        append(partition, std::move(records), std::move(callbacks));
        records.clear();
        callbacks.clear();
        bound = batch_overhead;
      }
      bound += size;
      records.push_back(std::move(items[i].record));
      callbacks.push_back(std::move(items[i].done));
      taken[i] = true;
    }
    append(partition, std::move(records), std::move(callbacks));
  }
  items.clear();
  if (batch.items.empty()) batch.items.swap(items);  // keep the capacity for the next turn
}

void embedded_sender::append(const std::shared_ptr<log::partition>& partition, std::vector<log::record> records,
                             std::vector<send_callback> callbacks) {
  partition->append_combining(records, [callbacks = std::move(callbacks)](log::log_result<log::append_info> a) {
    if (a) {
      for (const auto& done : callbacks) done(send_result());
      return;
    }
    const messaging_error e = to_messaging_error(a.error());
    for (const auto& done : callbacks) done(fail(e));
  });
}

}  // namespace tributary::messaging
