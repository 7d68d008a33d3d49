#include "commands/router.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "log/record_batch.h"

namespace tributary::commands {
namespace {

namespace asio = boost::asio;
constexpr std::string_view command_topic_prefix = "hono.command.";
constexpr std::size_t read_bytes = 1 << 20;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

struct router::guard {
  // Held while the router is reached from another thread. Recursive: a consumer may call a
  // delivery's `done` from inside deliver(), on a thread routing inline.
  std::recursive_mutex mutex;
  router* owner = nullptr;  // null once the router stops

  // If the router still lives: f(router, false) now, on this thread, when the router's lock is
  // free and no read() is on this thread's stack; else f(router, true) later on the router's
  // thread. Either way under the router's lock.
  template <typename F>
  void run_or_post(F&& f) {
    std::lock_guard lock(mutex);
    if (!owner) return;
    if (std::unique_lock state(owner->mutex_, std::try_to_lock); state.owns_lock() && !owner->reading_) {
      return f(*owner, false);
    }
    asio::post(owner->io_, [r = owner, f = std::forward<F>(f)]() mutable {
      std::lock_guard state(r->mutex_);
      f(*r, true);
    });
  }
};

struct router::in_flight {
  std::int64_t offset;
  bool done = false;
  std::shared_ptr<const command> cmd;           // null for records that needed no delivery
  std::chrono::steady_clock::time_point deadline;  // of a delivery under way
};

struct router::partition_state {
  std::string topic;
  std::string tenant;
  std::int32_t index;
  std::shared_ptr<log::partition> partition;
  std::int64_t next = 0;             // next offset to read
  std::int64_t committed = -1;       // last offset committed to the offset store
  std::int64_t to_commit = -1;       // the position to commit next (commit_due)
  std::deque<std::shared_ptr<in_flight>> pending;  // log order
  bool waiting = false;              // for data, or for room in `pending`
  std::optional<log::partition::waiter_id> waiter;
};

router::router(log::log_manager& log, kafka::broker::offset_store& offsets, registry::lookups& lookups,
               consumer_directory& consumers, messaging::downstream_sender& responses, router_options options)
    : log_(log), offsets_(offsets), lookups_(lookups), consumers_(consumers), responses_(responses),
      options_(std::move(options)), guard_(std::make_shared<guard>()) {
  guard_->owner = this;
}

router::~router() {
  {
    std::lock_guard lock(guard_->mutex);
    guard_->owner = nullptr;
  }
  io_.stop();
  if (thread_.joinable()) thread_.join();
  std::lock_guard state(mutex_);
  for (auto& [key, p] : partitions_) {
    if (p->waiter) p->partition->cancel_wait(*p->waiter);
  }
  commit_due();  // the router's thread is gone: safe from here
}

void router::start() {
  asio::post(io_, [this] {
    std::lock_guard state(mutex_);
    scan_topics();
  });
  thread_ = std::thread([this] { io_.run(); });
}

void router::scan_topics() {
  for (const auto& name : log_.topic_names()) {
    if (!name.starts_with(command_topic_prefix) || name.size() == command_topic_prefix.size()) continue;
    const auto topic = log_.find_topic(name);
    if (!topic) continue;
    for (std::size_t i = 0; i < topic->partition_count(); ++i) {
      const auto index = static_cast<std::int32_t>(i);
      auto partition = topic->get(index);
      auto& slot = partitions_[{name, index}];
      if (slot && slot->partition == partition && !partition->is_closed()) continue;
      if (!partition || partition->is_closed()) {
        slot.reset();
        continue;
      }
      auto p = std::make_shared<partition_state>();
      p->topic = name;
      p->tenant = name.substr(command_topic_prefix.size());
      p->index = index;
      p->partition = std::move(partition);
      // No committed offset yet: from the start, so that the command that created the topic counts.
      const auto committed = offsets_.fetch(options_.group, name, index);
      p->next = committed ? committed->offset : p->partition->log_start_offset();
      p->committed = p->next;
      slot = p;
      read(p, true);
    }
  }
  std::erase_if(partitions_, [](const auto& entry) { return !entry.second; });
  scan_timer_.expires_after(options_.topic_scan_interval);
  scan_timer_.async_wait([this](const boost::system::error_code& ec) {
    std::lock_guard state(mutex_);
    if (!ec) scan_topics();
  });
}

void router::read_on_router_thread(const std::shared_ptr<partition_state>& p) {
  asio::post(io_, [this, p] {
    std::lock_guard state(mutex_);
    read(p, true);
  });
}

void router::wait_for_data(const std::shared_ptr<partition_state>& p) {
  p->waiting = true;
  std::weak_ptr<partition_state> weak = p;
  // The partition calls this on the appending thread, or at once when data is already there.
  p->waiter = p->partition->wait_for_data(p->next, [g = guard_, weak] {
    g->run_or_post([weak](router& r, bool on_router_thread) {
      if (auto p = weak.lock()) r.read(p, on_router_thread);
    });
  });
}

void router::read(const std::shared_ptr<partition_state>& p, bool may_block) {
  const bool was_reading = std::exchange(reading_, true);
  struct restore {
    bool& flag;
    bool value;
    ~restore() { flag = value; }
  } restore_reading{reading_, was_reading};
  p->waiting = false;
  p->waiter.reset();
  if (p->partition->is_closed()) return;
  if (p->pending.size() >= options_.max_in_flight_per_partition) {
    p->waiting = true;  // finish() reads on when room frees up
    return;
  }
  p->next = std::max(p->next, p->partition->log_start_offset());
  if (p->next >= p->partition->high_watermark()) return wait_for_data(p);
  auto data = p->partition->read(p->next, read_bytes);
  if (!data) {
    spdlog::warn("commands: cannot read {}-{} at offset {}: {}", p->topic, p->index, p->next, data.error().message);
    return;
  }
  auto bytes = log::as_bytes(data->bytes);
  while (!bytes.empty()) {
    auto header = log::parse_batch_header(bytes);
    if (!header) break;
    const auto size = static_cast<std::size_t>(header->batch_length) + 12;
    if (size > bytes.size()) break;
    const auto batch = bytes.first(size);
    bytes = bytes.subspan(size);
    const std::int64_t last = header->base_offset + header->last_offset_delta;
    if (last < p->next) continue;
    if (header->control()) {
      p->next = last + 1;
      continue;
    }
    auto records = log::decode_records(batch);  // compressed batches are opened here
    if (!records) {
      // Unreadable (compressed bytes that do not open): no command to answer.
      spdlog::warn("commands: {}-{} offsets {}..{} skipped: {}", p->topic, p->index, header->base_offset, last,
                   records.error().message);
      p->next = last + 1;
      continue;
    }
    for (const auto& r : *records) {
      if (r.offset < p->next) continue;
      if (p->pending.size() >= options_.max_in_flight_per_partition) {
        // Full: finish() reads on from p->next (this record) once a command is done.
        p->waiting = true;
        return;
      }
      if (!handle(p, r.offset, r, may_block)) return read_on_router_thread(p);  // from this record on
      p->next = r.offset + 1;
    }
    p->next = std::max(p->next, last + 1);
  }
  if (p->next >= p->partition->high_watermark()) return wait_for_data(p);
  read_on_router_thread(p);  // the next chunk, after the handlers queued so far
}

bool router::handle(const std::shared_ptr<partition_state>& p, std::int64_t offset, const log::record& record, bool may_block) {
  auto f = std::make_shared<in_flight>();
  f->offset = offset;
  auto parsed = parse_command(p->tenant, record);
  if (!parsed) {
    p->pending.push_back(f);
    const auto& rejection = parsed.error();
    spdlog::debug("commands: tenant {} offset {}: {}", p->tenant, offset, rejection.message);
    if (rejection.respond) respond(rejection.partial, 400, "malformed command message");
    finish(p, f, std::nullopt);
    return true;
  }
  auto cmd = std::make_shared<const command>(std::move(*parsed));
  registry::registry_result<std::shared_ptr<const registry::tenant_info>> tenant{nullptr};
  if (auto cached = lookups_.tenant_cached(cmd->tenant_id)) {
    tenant = std::move(*cached);
  } else if (may_block) {
    tenant = lookups_.tenant(cmd->tenant_id);
  } else {
    return false;
  }
  f->cmd = cmd;
  if (!tenant || !(*tenant)->enabled) {
    p->pending.push_back(f);
    const bool unavailable = !tenant && tenant.error().code == registry::registry_errc::unavailable;
    finish(p, f, std::pair{unavailable ? 503 : 404, std::string(unavailable ? "Temporarily unavailable" : "tenant not found")});
    return true;
  }
  bool missed = false;  // a gateway's assertion is not cached
  auto target = consumers_.find(cmd->tenant_id, cmd->device_id, [&](const std::string& gateway) {
    if (may_block) return lookups_.assert_registration(cmd->tenant_id, cmd->device_id, gateway).ok();
    auto cached = lookups_.assert_registration_cached(cmd->tenant_id, *tenant, cmd->device_id, gateway);
    if (!cached) missed = true;
    return cached && cached->ok();
  });
  if (missed) return false;
  p->pending.push_back(f);
  if (!target) {
    finish(p, f, std::pair{503, std::string("no consumer available")});
    return true;
  }
  f->deadline = std::chrono::steady_clock::now() + options_.processing_timeout;
  if (!deadline_armed_) arm_deadline(f->deadline);
  std::weak_ptr<partition_state> weak_p = p;
  std::weak_ptr<in_flight> weak_f = f;
  target->consumer->deliver(cmd, target->target_device, [g = guard_, weak_p, weak_f](delivery_result r) {
    g->run_or_post([weak_p, weak_f, r = std::move(r)](router& owner, bool) {
      auto p = weak_p.lock();
      auto f = weak_f.lock();
      if (!p || !f || f->done) return;
      if (r) return owner.finish(p, f, std::nullopt);
      const int status = r.error().code == delivery_errc::unavailable ? 503 : r.error().status;
      owner.finish(p, f, std::pair{status, r.error().message.empty() ? std::string("Temporarily unavailable") : r.error().message});
    });
  });
  return true;
}

void router::finish(const std::shared_ptr<partition_state>& p, const std::shared_ptr<in_flight>& f,
                    std::optional<std::pair<int, std::string>> failure) {
  if (f->done) return;
  f->done = true;
  if (failure && f->cmd) {
    spdlog::info("commands: command {} for device {} (tenant {}) failed: {} {}", f->cmd->name, f->cmd->device_id,
                 f->cmd->tenant_id, failure->first, failure->second);
    if (!f->cmd->one_way()) respond(*f->cmd, failure->first, failure->second);
  }
  std::optional<std::int64_t> last_done;
  while (!p->pending.empty() && p->pending.front()->done) {
    last_done = p->pending.front()->offset;
    p->pending.pop_front();
  }
  if (last_done) commit(p, p->pending.empty() ? *last_done + 1 : p->pending.front()->offset);
  if (p->waiting && !p->waiter && p->pending.size() < options_.max_in_flight_per_partition) {
    p->waiting = false;  // one read, however many commands finish before it runs
    read_on_router_thread(p);
  }
}

void router::arm_deadline(std::chrono::steady_clock::time_point at) {
  deadline_armed_ = true;
  // Armed, never cancelled: a cancel would wake the router's thread for its aborted wait.
  deadline_timer_.expires_at(at);
  deadline_timer_.async_wait([this](const boost::system::error_code& ec) {
    std::lock_guard state(mutex_);
    deadline_armed_ = false;
    if (!ec) expire_deliveries();
  });
}

void router::expire_deliveries() {
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> next;
  std::vector<std::pair<std::shared_ptr<partition_state>, std::shared_ptr<in_flight>>> expired;
  for (auto& [key, p] : partitions_) {
    if (!p) continue;
    // Deliveries start in log order, so their deadlines only grow along `pending`.
    for (const auto& f : p->pending) {
      if (f->done) continue;
      if (f->deadline > now) {
        if (!next || f->deadline < *next) next = f->deadline;
        break;
      }
      expired.emplace_back(p, f);
    }
  }
  for (const auto& [p, f] : expired) finish(p, f, std::pair{503, std::string("Temporarily unavailable")});
  if (next && !deadline_armed_) arm_deadline(*next);
}

void router::respond(const command& c, int status, const std::string& message) {
  if (!c.correlation_id) return;
  responses_.send(failure_response(c, status, message, now_ms()), [tenant = c.tenant_id, device = c.device_id](messaging::send_result r) {
    if (!r) spdlog::warn("commands: error response for device {} (tenant {}) not stored: {}", device, tenant, r.error().message);
  });
}

void router::commit(const std::shared_ptr<partition_state>& p, std::int64_t offset) {
  if (offset <= p->committed || offset <= p->to_commit) return;
  p->to_commit = offset;
  if (commit_armed_) return;
  commit_armed_ = true;
  commit_timer_.expires_after(options_.commit_interval);
  commit_timer_.async_wait([this](const boost::system::error_code& ec) {
    std::lock_guard state(mutex_);
    commit_armed_ = false;
    if (!ec) commit_due();
  });
}

void router::commit_due() {
  for (auto& [key, p] : partitions_) {
    if (!p || p->to_commit <= p->committed) continue;
    p->committed = p->to_commit;
    kafka::broker::committed_offset value;
    value.offset = p->committed;
    value.commit_timestamp = now_ms();
    offsets_.commit(options_.group, {{p->topic, p->index, value}}, [topic = p->topic, index = p->index](log::log_result<void> r) {
      if (!r) spdlog::warn("commands: offset commit of {}-{} failed: {}", topic, index, r.error().message);
    });
  }
}

}  // namespace tributary::commands
