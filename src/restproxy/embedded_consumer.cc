#include "restproxy/embedded_consumer.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "kafka/broker/async_log.h"
#include "kafka/broker/handlers/groups.h"

namespace tributary::restproxy {
namespace {

namespace asio = boost::asio;
using kafka::broker::error_code;
using kafka::broker::group_clock_ms;

constexpr std::size_t min_read_bytes = 64 * 1024;
constexpr std::size_t read_chunk = 1024 * 1024;
constexpr std::chrono::milliseconds idle_backoff{50};  // consumer.iterator.backoff.ms

std::string name_of(const topic_partition& tp) { return tp.topic + "-" + std::to_string(tp.partition); }

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

embedded_consumer::embedded_consumer(kafka::broker::broker& b, std::string group, std::string client_id,
                                     consumer_options options)
    : broker_(b), group_(std::move(group)), client_id_(std::move(client_id)), options_(std::move(options)) {
  last_auto_commit_ms_ = group_clock_ms();
}

std::vector<std::string> embedded_consumer::subscribed_topics_locked() const {
  if (!pattern_) return topics_;
  std::vector<std::string> out;
  for (auto& name : broker_.log().topic_names())
    if (pattern_->matches(name)) out.push_back(std::move(name));
  return out;
}

proxy_result<void> embedded_consumer::subscribe(std::vector<std::string> topics, std::string pattern) {
  std::optional<topic_pattern> re;
  if (!pattern.empty()) {
    auto compiled = topic_pattern::compile(pattern);
    if (!compiled) return fail(rest_error{422, 422, "Invalid topic_pattern '" + pattern + "': " + compiled.error()});
    re = std::move(*compiled);
  }
  for (const auto& t : topics) {  // as a Java consumer's metadata request would, when allowed
    kafka::broker::error_code ignored{};
    broker_.find_or_create_topic(t, true, ignored);
  }
  {
    lock_t lock(mutex_);
    if (manual_) return fail(illegal_state("Subscription to topics, partitions and pattern are mutually exclusive"));
    std::sort(topics.begin(), topics.end());
    topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
    topics_ = std::move(topics);
    pattern_ = std::move(re);
  }
  start_join();
  return {};
}

void embedded_consumer::unsubscribe() {
  {
    lock_t lock(mutex_);
    topics_.clear();
    pattern_.reset();
    manual_ = false;
    assigned_.clear();
    positions_.clear();
  }
  leave_group();
}

std::vector<std::string> embedded_consumer::subscription() const {
  lock_t lock(mutex_);
  return subscribed_topics_locked();
}

proxy_result<void> embedded_consumer::assign(std::vector<topic_partition> partitions) {
  lock_t lock(mutex_);
  if (!topics_.empty() || pattern_)
    return fail(illegal_state("Subscription to topics, partitions and pattern are mutually exclusive"));
  manual_ = !partitions.empty();
  set_assignment_locked(std::move(partitions));
  return {};
}

std::vector<topic_partition> embedded_consumer::assignment() const {
  lock_t lock(mutex_);
  return assigned_;
}

void embedded_consumer::set_assignment_locked(std::vector<topic_partition> partitions) {
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  assigned_ = std::move(partitions);
  std::erase_if(positions_, [this](const auto& entry) {
    return !std::binary_search(assigned_.begin(), assigned_.end(), entry.first);
  });
  next_partition_ = 0;
}

proxy_result<void> embedded_consumer::check_assigned_locked(const std::vector<topic_partition>& tps) const {
  for (const auto& tp : tps)
    if (!std::binary_search(assigned_.begin(), assigned_.end(), tp))
      return fail(illegal_state("No current assignment for partition " + name_of(tp)));
  return {};
}

proxy_result<void> embedded_consumer::seek(const topic_partition& tp, std::int64_t offset) {
  lock_t lock(mutex_);
  if (auto ok = check_assigned_locked({tp}); !ok) return ok;
  if (offset < 0) return fail(rest_error{422, 422, "offset must not be negative"});
  positions_[tp] = offset;
  return {};
}

proxy_result<void> embedded_consumer::seek_to_beginning(const std::vector<topic_partition>& tps) {
  return seek_each(tps, [](const log::partition& p) { return p.log_start_offset(); });
}

proxy_result<void> embedded_consumer::seek_to_end(const std::vector<topic_partition>& tps) {
  return seek_each(tps, [](const log::partition& p) { return p.high_watermark(); });
}

proxy_result<void> embedded_consumer::seek_each(const std::vector<topic_partition>& tps,
                                                const std::function<std::int64_t(const log::partition&)>& offset_of) {
  lock_t lock(mutex_);
  if (auto ok = check_assigned_locked(tps); !ok) return ok;
  for (const auto& tp : tps) {
    auto p = broker_.log().find_partition(tp.topic, tp.partition);
    positions_[tp] = p ? offset_of(*p) : 0;
  }
  return {};
}

proxy_result<void> embedded_consumer::seek_to_timestamp(const topic_partition& tp, std::int64_t timestamp_ms) {
  lock_t lock(mutex_);
  if (auto ok = check_assigned_locked({tp}); !ok) return ok;
  auto p = broker_.log().find_partition(tp.topic, tp.partition);
  if (!p) return fail(partition_not_found());
  auto found = p->offset_for_timestamp(timestamp_ms);
  if (!found) return fail(kafka_error(found.error().message, false));
  positions_[tp] = found->value_or(p->high_watermark());
  return {};
}

proxy_result<std::int64_t> embedded_consumer::reset_position(const topic_partition& tp, const log::partition& p) const {
  if (options_.auto_offset_reset == "earliest") return p.log_start_offset();
  if (options_.auto_offset_reset == "latest") return p.high_watermark();
  return fail(kafka_error("Undefined offset with no reset policy for partition: " + name_of(tp), false));
}

proxy_result<std::int64_t> embedded_consumer::position_locked(const topic_partition& tp) {
  auto p = broker_.log().find_partition(tp.topic, tp.partition);
  if (!p) return std::int64_t{0};
  auto it = positions_.find(tp);
  std::optional<std::int64_t> pos;
  if (it != positions_.end()) {
    pos = it->second;
  } else if (auto c = broker_.offsets().fetch(group_, tp.topic, tp.partition); c && c->offset >= 0) {
    pos = c->offset;
  }
  if (!pos || *pos < p->log_start_offset() || *pos > p->high_watermark()) {
    auto reset = reset_position(tp, *p);
    if (!reset) return reset;
    pos = *reset;
  }
  positions_[tp] = *pos;
  return *pos;
}

proxy_result<peeked_records> embedded_consumer::peek_locked(std::size_t max_bytes,
                                                             std::vector<topic_partition>& out_of_range) {
  peeked_records out;
  const auto n = assigned_.size();
  std::size_t bytes = 0;
  bool full = false;
  for (std::size_t i = 0; i < n && !full; ++i) {
    const auto tp = assigned_[(next_partition_ + i) % n];
    auto p = broker_.log().find_partition(tp.topic, tp.partition);
    if (!p) continue;
    auto pos = position_locked(tp);
    if (!pos) return fail(pos.error());
    if (*pos >= p->high_watermark()) continue;
    // Reads of at most read_chunk bytes, so that a large budget does not mean one huge buffer.
    auto next = *pos;
    while (!full && next < p->high_watermark()) {
      const auto budget = max_bytes > bytes ? max_bytes - bytes : 0;
      auto read = p->read(next, std::clamp(budget, min_read_bytes, read_chunk));
      if (!read) {
        if (read.error().code == log::log_errc::offset_out_of_range) {
          out_of_range.push_back(tp);
          break;
        }
        return fail(kafka_error(read.error().message, true));
      }
      const auto before = next;
      std::span<const std::uint8_t> rest = log::as_bytes(read->bytes);
      while (!rest.empty() && !full) {
        auto h = log::parse_batch_header(rest);
        if (!h || h->size() > rest.size()) break;
        const auto batch = rest.first(h->size());
        rest = rest.subspan(h->size());
        if (h->control() || h->last_offset() < next) {
          next = std::max(next, h->next_offset());
          continue;
        }
        auto records = log::decode_records(batch, log::crc_check::skip);  // checked when appended
        if (!records) return fail(kafka_error("cannot read " + name_of(tp) + ": " + records.error().message, false));
        for (auto& r : *records) {
          if (r.offset < next) continue;
          const auto size = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
          if (!out.records.empty() && bytes + size > max_bytes) {
            full = true;
            break;
          }
          bytes += size;
          next = r.offset + 1;
          out.records.push_back({tp.topic, tp.partition, std::move(r)});
        }
      }
      if (next == before) break;  // nothing readable here (a batch cut short): leave it for later
    }
    if (next != *pos) out.moves.push_back({tp, *pos, next});
  }
  return out;
}

void embedded_consumer::apply_moves_locked(const std::vector<position_move>& moves) {
  for (const auto& m : moves)
    if (positions_.contains(m.tp)) positions_[m.tp] = m.to;
  if (!assigned_.empty()) next_partition_ = (next_partition_ + 1) % assigned_.size();
}

proxy_result<std::vector<consumed_record>> embedded_consumer::poll(std::size_t max_bytes) {
  lock_t lock(mutex_);
  std::vector<topic_partition> out_of_range;
  auto read = peek_locked(max_bytes, out_of_range);
  if (!read) return fail(read.error());
  for (const auto& tp : out_of_range) positions_.erase(tp);  // reset on the next poll
  apply_moves_locked(read->moves);
  return std::move(read->records);
}

proxy_result<peeked_records> embedded_consumer::peek(std::size_t max_bytes) {
  lock_t lock(mutex_);
  std::vector<topic_partition> out_of_range;  // left for the next poll to reset
  return peek_locked(max_bytes, out_of_range);
}

bool embedded_consumer::advance(const std::vector<position_move>& moves) {
  lock_t lock(mutex_);
  for (const auto& m : moves) {
    const auto it = positions_.find(m.tp);
    if (it == positions_.end() || it->second != m.from ||
        std::find(assigned_.begin(), assigned_.end(), m.tp) == assigned_.end())
      return false;
  }
  apply_moves_locked(moves);
  return true;
}

asio::awaitable<void> embedded_consumer::wait(std::chrono::milliseconds timeout) {
  std::vector<kafka::broker::wait_target> targets;
  {
    lock_t lock(mutex_);
    for (const auto& tp : assigned_) {
      auto p = broker_.log().find_partition(tp.topic, tp.partition);
      auto pos = p ? position_locked(tp) : proxy_result<std::int64_t>(std::int64_t{0});
      if (p && pos) targets.push_back({std::move(p), *pos});
    }
  }
  if (!targets.empty()) {
    co_await kafka::broker::wait_for_any(std::move(targets), timeout);
    co_return;
  }
  // Nothing assigned (yet: a join may be under way): look again shortly.
  asio::steady_timer timer(co_await asio::this_coro::executor, std::min(timeout, idle_backoff));
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

void embedded_consumer::store(std::vector<commit_entry> entries, std::function<void(log::log_result<void>)> done) {
  std::vector<kafka::broker::offset_commit_entry> out;
  const auto now = wall_clock_ms();
  for (auto& e : entries) {
    out.push_back({e.tp.topic, e.tp.partition, {e.offset, -1, std::move(e.metadata), now}});
  }
  broker_.offsets().commit(group_, std::move(out), std::move(done));
}

asio::awaitable<proxy_result<void>> embedded_consumer::commit(std::vector<commit_entry> entries) {
  if (entries.empty()) co_return proxy_result<void>{};
  using answer_t = log::log_result<void>;
  auto self = shared_from_this();
  auto start = [self, &entries](std::function<void(answer_t)> done) { self->store(std::move(entries), std::move(done)); };
  auto answer = co_await kafka::broker::async_call<answer_t>(std::move(start));
  if (!answer) co_return fail(kafka_error("cannot commit offsets: " + answer.error().message, true));
  co_return proxy_result<void>{};
}

std::vector<commit_entry> embedded_consumer::positions() const {
  lock_t lock(mutex_);
  std::vector<commit_entry> out;
  for (const auto& tp : assigned_)
    if (auto it = positions_.find(tp); it != positions_.end()) out.push_back({tp, it->second, ""});
  return out;
}

std::vector<commit_entry> embedded_consumer::committed(const std::vector<topic_partition>& tps) const {
  std::vector<commit_entry> out;
  for (const auto& tp : tps) {
    auto c = broker_.offsets().fetch(group_, tp.topic, tp.partition);
    if (c && c->offset >= 0) out.push_back({tp, c->offset, c->metadata.value_or("")});
  }
  return out;
}

void embedded_consumer::auto_commit_now() {
  std::vector<commit_entry> due;
  {
    lock_t lock(mutex_);
    for (const auto& [tp, pos] : positions_) {
      auto it = auto_committed_.find(tp);
      if (it != auto_committed_.end() && it->second == pos) continue;
      auto_committed_[tp] = pos;
      due.push_back({tp, pos, ""});
    }
  }
  if (due.empty()) return;
  store(std::move(due), [group = group_](log::log_result<void> r) {
    if (!r) spdlog::warn("restproxy: auto commit for group {} failed: {}", group, r.error().message);
  });
}

void embedded_consumer::tick(std::int64_t now_ms) {
  bool join = false;
  bool heartbeat = false;
  bool commit_due = false;
  std::int32_t generation = -1;
  std::string member;
  {
    lock_t lock(mutex_);
    if (closed_) return;
    const bool subscribed = !topics_.empty() || pattern_.has_value();
    if (subscribed && !joining_) {
      if (!stable_) {
        join = now_ms - last_join_attempt_ms_ >= heartbeat_interval_ms;
      } else if (subscribed_topics_locked() != joined_topics_) {
        join = true;  // the pattern matches another set of topics now
      } else if (now_ms - last_heartbeat_ms_ >= heartbeat_interval_ms) {
        heartbeat = true;
        last_heartbeat_ms_ = now_ms;
        generation = generation_;
        member = member_id_;
      }
    }
    if (options_.auto_commit && now_ms - last_auto_commit_ms_ >= auto_commit_interval_ms) {
      commit_due = true;
      last_auto_commit_ms_ = now_ms;
    }
  }
  if (heartbeat) {
    const auto e = broker_.groups().heartbeat(group_, generation, member, now_ms);
    if (e != error_code::none) {
      lock_t lock(mutex_);
      stable_ = false;
      if (e == error_code::unknown_member_id) member_id_.clear();
      join = true;
    }
  }
  if (commit_due) auto_commit_now();
  if (join) start_join();
}

void embedded_consumer::start_join() {
  if (options_.auto_commit) auto_commit_now();  // the eager protocol gives every partition up first
  kafka::broker::join_group_request req;
  {
    lock_t lock(mutex_);
    if (closed_ || joining_ || (topics_.empty() && !pattern_)) return;
    joining_ = true;
    stable_ = false;
    last_join_attempt_ms_ = group_clock_ms();
    joined_topics_ = subscribed_topics_locked();
    assigned_.clear();
    positions_.clear();
    req.group_id = group_;
    req.member_id = member_id_;
    req.client_id = client_id_;
    req.protocol_type = "consumer";
    req.session_timeout_ms = session_timeout_ms;
    req.rebalance_timeout_ms = rebalance_timeout_ms;
    req.protocols.emplace_back("range", encode_subscription(joined_topics_));
    req.version = 3;
  }
  broker_.groups().join(std::move(req), group_clock_ms(),
                        [self = shared_from_this()](kafka::broker::join_group_response r) { self->on_joined(std::move(r)); });
}

void embedded_consumer::on_joined(kafka::broker::join_group_response r) {
  {
    lock_t lock(mutex_);
    if (r.error != error_code::none || closed_) {
      joining_ = false;
      if (r.error == error_code::unknown_member_id) member_id_.clear();
      if (r.error != error_code::none && !closed_)
        spdlog::debug("restproxy: group {} join failed ({}), retrying", group_, static_cast<int>(r.error));
      return;
    }
    member_id_ = r.member_id;
    generation_ = r.generation_id;
  }
  kafka::broker::sync_group_request s;
  s.group_id = group_;
  s.generation_id = r.generation_id;
  s.member_id = r.member_id;
  if (r.leader == r.member_id) {
    std::vector<std::pair<std::string, std::vector<std::string>>> members;
    std::map<std::string, std::int32_t> counts;
    for (const auto& m : r.members) {
      auto topics = decode_subscription(m.metadata).value_or(std::vector<std::string>{});
      for (const auto& t : topics)
        if (auto topic = broker_.log().find_topic(t)) counts[t] = static_cast<std::int32_t>(topic->partition_count());
      members.emplace_back(m.member_id, std::move(topics));
    }
    for (const auto& [member, partitions] : range_assign(members, counts))
      s.assignments.emplace_back(member, encode_assignment(partitions));
  }
  const auto generation = r.generation_id;
  broker_.groups().sync(std::move(s), group_clock_ms(),
                        [self = shared_from_this(), generation](kafka::broker::sync_group_response answer) {
                          self->on_synced(generation, std::move(answer));
                        });
}

void embedded_consumer::on_synced(std::int32_t generation, kafka::broker::sync_group_response r) {
  bool rejoin = false;
  {
    lock_t lock(mutex_);
    joining_ = false;
    if (closed_ || generation != generation_) return;
    if (r.error == error_code::none) {
      auto partitions = decode_assignment(r.assignment);
      if (!partitions) spdlog::warn("restproxy: group {} sent an assignment that does not parse", group_);
      set_assignment_locked(partitions.value_or(std::vector<topic_partition>{}));
      stable_ = true;
      last_heartbeat_ms_ = group_clock_ms();
      rejoin = subscribed_topics_locked() != joined_topics_;  // subscription changed while joining
    } else {
      if (r.error == error_code::unknown_member_id) member_id_.clear();
      rejoin = r.error == error_code::rebalance_in_progress;
    }
  }
  if (rejoin) start_join();
}

void embedded_consumer::leave_group() {
  std::string member;
  {
    lock_t lock(mutex_);
    member.swap(member_id_);
    stable_ = false;
    generation_ = -1;
  }
  if (!member.empty()) broker_.groups().leave(group_, {member}, group_clock_ms());
}

asio::awaitable<void> embedded_consumer::close() {
  if (options_.auto_commit) {
    auto result = co_await commit(positions());
    if (!result) spdlog::warn("restproxy: final commit for group {} failed: {}", group_, result.error().message);
  }
  {
    lock_t lock(mutex_);
    closed_ = true;
    assigned_.clear();
  }
  leave_group();
}

}  // namespace tributary::restproxy
