#include "messaging/embedded_sender.h"

#include "common/murmur2.h"

namespace tributary::messaging {

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
  auto partition = topic->get(index);
  log::record rec;
  rec.timestamp = r.timestamp_ms;
  rec.key = std::move(r.key);
  rec.value = std::move(r.value);
  rec.headers.reserve(r.headers.size());
  for (auto& h : r.headers) rec.headers.push_back({std::move(h.name), std::move(h.value)});
  partition->append_combining(std::span<const log::record>(&rec, 1), [done = std::move(done)](log::log_result<log::append_info> a) {
    if (a) {
      done(send_result());
      return;
    }
    const auto code = a.error().code;
    const messaging_errc mapped = code == log::log_errc::overloaded || code == log::log_errc::closed
                                      ? messaging_errc::unavailable
                                      : code == log::log_errc::message_too_large ? messaging_errc::rejected
                                                                                : messaging_errc::internal;
    done(fail(messaging_error{mapped, a.error().message}));
  });
}

}  // namespace tributary::messaging
