#include "log/partition.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "common/big_endian.h"
#include "log/flusher.h"

namespace tributary::log {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void run_all(std::vector<std::function<void()>>& callbacks) {
  for (auto& c : callbacks) c();
}

}  // namespace

partition::partition(std::filesystem::path dir, std::string name, const topic_config& config, flusher& f)
    : dir_(std::move(dir)), name_(std::move(name)), config_(config), flusher_(f), last_sync_ms_(now_ms()) {}

partition::~partition() = default;

log_result<std::shared_ptr<partition>> partition::open(const std::filesystem::path& dir, std::string name,
                                                       const topic_config& config, flusher& f) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(log_error{log_errc::io_error, "cannot create " + dir.string() + ": " + ec.message()});
  std::vector<std::int64_t> bases;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& path = entry.path();
    if (path.extension() != ".log") continue;
    const std::string stem = path.stem().string();
    if (stem.size() != 20 || !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    bases.push_back(std::stoll(stem));
  }
  if (ec) return fail(log_error{log_errc::io_error, "cannot list " + dir.string() + ": " + ec.message()});
  std::sort(bases.begin(), bases.end());

  std::shared_ptr<partition> p(new partition(dir, std::move(name), config, f));
  for (std::size_t i = 0; i + 1 < bases.size(); ++i) {
    auto s = segment::open_sealed(dir, bases[i]);
    if (!s) return fail(s.error());
    if (!p->segments_.empty() && (*s)->base_offset() != p->segments_.back()->next_offset()) {
      spdlog::warn("partition {}: offsets {}..{} missing between segments", p->name_,
                   p->segments_.back()->next_offset(), (*s)->base_offset() - 1);
    }
    p->segments_.push_back(std::move(*s));
  }
  if (bases.empty()) {
    auto s = segment::create(dir, 0);
    if (!s) return fail(s.error());
    p->segments_.push_back(std::move(*s));
    p->directory_dirty_ = true;
  } else {
    recovery_report report;
    auto s = segment::recover(dir, bases.back(), report);
    if (!s) return fail(s.error());
    if (report.truncated_bytes > 0) {
      spdlog::warn("partition {}: truncated {} byte(s) of torn tail in {} {}", p->name_, report.truncated_bytes,
                   (*s)->path().string(), report.truncated_reason);
    }
    p->segments_.push_back(std::move(*s));
  }
  p->log_end_offset_ = p->segments_.back()->next_offset();
  p->high_watermark_ = p->log_end_offset_;
  return p;
}

void partition::append_batch(std::span<std::uint8_t> batch, append_callback done) {
  auto h = validate_batch(batch);
  if (!h) {
    done(fail(log_error{log_errc::invalid_batch, "partition " + name_ + ": " + h.error().message}));
    return;
  }
  if (h->control()) {
    done(fail(log_error{log_errc::invalid_batch, "partition " + name_ + ": producers may not send control batches"}));
    return;
  }
  append(batch, *h, std::move(done));
}

void partition::append_records(std::span<const record> records, append_callback done) {
  if (records.empty()) {
    done(fail(log_error{log_errc::invalid_batch, "partition " + name_ + ": no records to append"}));
    return;
  }
  std::string encoded = encode_batch(records);
  std::span<std::uint8_t> bytes(reinterpret_cast<std::uint8_t*>(encoded.data()), encoded.size());
  auto h = parse_batch_header(bytes);
  append(bytes, *h, std::move(done));
}

void partition::append_combining(std::span<const record> records, append_callback done) {
  if (records.empty()) {
    done(fail(log_error{log_errc::invalid_batch, "partition " + name_ + ": no records to append"}));
    return;
  }
  std::string encoded = encode_batch(records);
  if (static_cast<std::int64_t>(encoded.size()) > config_.max_message_bytes) {
    done(fail(log_error{log_errc::message_too_large, "partition " + name_ + ": batch of " + std::to_string(encoded.size()) +
                                                         " bytes exceeds max.message.bytes " +
                                                         std::to_string(config_.max_message_bytes)}));
    return;
  }
  const auto h = parse_batch_header({reinterpret_cast<const std::uint8_t*>(encoded.data()), encoded.size()});
  {
    std::unique_lock lock(staging_mutex_);
    staging_room_.wait(lock, [this] { return staged_.size() < max_staged; });
    staged_.push_back({std::move(encoded), *h, std::move(done)});
    if (combining_) return;  // the writing appender takes it
    combining_ = true;
  }
  std::vector<staged_batch> group;
  for (;;) {
    {
      std::lock_guard lock(staging_mutex_);
      if (staged_.empty()) {
        combining_ = false;
        return;
      }
      group.swap(staged_);
    }
    staging_room_.notify_all();
    append_group(group);
    group.clear();
  }
}

void partition::append_group(std::vector<staged_batch>& group) {
  auto fail_all = [&](const log_error& e) {
    for (auto& b : group) b.done(fail(e));
  };
  std::size_t total = 0;
  for (const auto& b : group) total += b.bytes.size();
  std::unique_lock lock(mutex_);
  const bool always = config_.flush == flush_policy::always;
  std::optional<log_error> refused;
  if (closed_) refused = log_error{log_errc::closed, "partition " + name_ + " is closed"};
  else if (failed_) refused = *failed_;
  else if (always && pending_bytes_ > max_unflushed_bytes) {
    refused = log_error{log_errc::overloaded, "partition " + name_ + ": too much data waiting for fsync"};
  } else if (auto r = roll_if_needed(total, now_ms()); !r) {
    refused = r.error();
  }
  if (refused) {
    lock.unlock();
    return fail_all(*refused);
  }
  std::string bytes;
  bytes.reserve(total);
  std::vector<batch_header> headers;
  headers.reserve(group.size());
  std::int64_t next = log_end_offset_;
  for (auto& b : group) {
    b.header.base_offset = next;
    set_base_offset({reinterpret_cast<std::uint8_t*>(b.bytes.data()), b.bytes.size()}, next);
    next = b.header.next_offset();
    bytes += b.bytes;
    headers.push_back(b.header);
  }
  const auto& active = segments_.back();
  const std::uint64_t start = active->size();
  if (auto r = active->append_batches({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, headers); !r) {
    lock.unlock();
    return fail_all(r.error());
  }
  log_end_offset_ = next;
  dirty_ = true;
  const std::int64_t log_start = segments_.front()->base_offset();
  std::vector<pending_ack> acks;
  acks.reserve(group.size());
  std::uint64_t end = start;
  for (auto& b : group) {
    end += b.bytes.size();
    acks.push_back({{b.header.base_offset, b.header.last_offset(), log_start}, std::move(b.done), active, end});
  }
  acknowledge(lock, acks, total);
}

void partition::acknowledge(std::unique_lock<std::mutex>& lock, std::vector<pending_ack>& acks, std::uint64_t bytes) {
  if (config_.flush == flush_policy::always) {
    const bool first = pending_.empty();
    for (auto& a : acks) pending_.push_back(std::move(a));
    pending_bytes_ += bytes;
    const bool group_full = pending_.size() >= last_group_size_;
    lock.unlock();
    if (first) flusher_.schedule(shared_from_this());
    if (group_full) pending_grew_.notify_one();
    return;
  }
  segments_.back()->set_committed(segments_.back()->size());
  std::vector<std::function<void()>> ready;
  commit(log_end_offset_, ready);
  lock.unlock();
  run_all(ready);
  for (auto& a : acks) a.done(a.info);
}

void partition::append(std::span<std::uint8_t> batch, batch_header h, append_callback done) {
  if (static_cast<std::int64_t>(batch.size()) > config_.max_message_bytes) {
    done(fail(log_error{log_errc::message_too_large, "partition " + name_ + ": batch of " +
                                                         std::to_string(batch.size()) + " bytes exceeds max.message.bytes " +
                                                         std::to_string(config_.max_message_bytes)}));
    return;
  }
  std::unique_lock lock(mutex_);
  if (closed_) {
    lock.unlock();
    done(fail(log_error{log_errc::closed, "partition " + name_ + " is closed"}));
    return;
  }
  if (failed_) {
    auto e = *failed_;
    lock.unlock();
    done(fail(std::move(e)));
    return;
  }
  const bool always = config_.flush == flush_policy::always;
  if (always && pending_bytes_ > max_unflushed_bytes) {
    lock.unlock();
    done(fail(log_error{log_errc::overloaded, "partition " + name_ + ": too much data waiting for fsync"}));
    return;
  }
  if (auto r = roll_if_needed(batch.size(), now_ms()); !r) {
    lock.unlock();
    done(fail(r.error()));
    return;
  }
  h.base_offset = log_end_offset_;
  set_base_offset(batch, h.base_offset);
  const auto& active = segments_.back();
  if (auto r = active->append(batch, h); !r) {
    lock.unlock();
    done(fail(r.error()));
    return;
  }
  log_end_offset_ = h.next_offset();
  dirty_ = true;
  std::vector<pending_ack> acks;
  acks.push_back({{h.base_offset, h.last_offset(), segments_.front()->base_offset()}, std::move(done), active, active->size()});
  acknowledge(lock, acks, batch.size());
}

log_result<void> partition::roll_if_needed(std::size_t incoming, std::int64_t now) {
  const auto& active = segments_.back();
  if (active->size() == 0) return {};
  const bool full = static_cast<std::int64_t>(active->size() + incoming) > config_.segment_bytes;
  const bool old = now - active->created_ms() >= config_.segment_ms;
  if (!full && !old) return {};
  auto next = segment::create(dir_, log_end_offset_);
  if (!next) return fail(next.error());
  active->forget_tail_positions();
  to_seal_.push_back(active);
  segments_.push_back(std::move(*next));
  directory_dirty_ = true;
  return {};
}

void partition::commit(std::int64_t high_watermark, std::vector<std::function<void()>>& ready) {
  high_watermark_ = std::max(high_watermark_, high_watermark);
  auto due = std::partition(waiters_.begin(), waiters_.end(), [this](const waiter& w) { return w.offset >= high_watermark_; });
  for (auto it = due; it != waiters_.end(); ++it) ready.push_back(std::move(it->notify));
  waiters_.erase(due, waiters_.end());
}

log_result<void> partition::sync_segments(std::vector<std::shared_ptr<segment>> segments, bool directory) {
  for (const auto& s : segments) {
    if (auto r = s->datasync(); !r) return r;
  }
  if (directory) return sync_directory(dir_);
  return {};
}

void partition::sync_pending() {
  std::unique_lock lock(mutex_);
  if (pending_.empty()) return;
  if (pending_.size() < last_group_size_ && !closed_) {
    pending_grew_.wait_for(lock, commit_delay, [this] { return pending_.size() >= last_group_size_; });
  }
  last_group_size_ = pending_.size();
  auto acks = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  std::vector<std::shared_ptr<segment>> segments;
  for (const auto& a : acks) {
    if (segments.empty() || segments.back() != a.seg) segments.push_back(a.seg);
  }
  const bool directory = std::exchange(directory_dirty_, false);
  dirty_ = false;
  lock.unlock();

  auto synced = sync_segments(segments, directory);

  lock.lock();
  std::vector<std::function<void()>> ready;
  if (synced) {
    last_sync_ms_ = now_ms();
    for (const auto& a : acks) a.seg->set_committed(a.end_position);
    commit(acks.back().info.last_offset + 1, ready);
  } else {
    spdlog::critical("partition {}: {}; it takes no more appends", name_, synced.error().message);
    failed_ = synced.error();
  }
  lock.unlock();
  run_all(ready);
  for (auto& a : acks) {
    if (synced) a.done(a.info);
    else a.done(fail(synced.error()));
  }
}

void partition::background_work(std::int64_t now, bool check_retention) {
  std::unique_lock lock(mutex_);
  auto seal = std::move(to_seal_);
  to_seal_.clear();
  const bool interval_due = config_.flush == flush_policy::interval && dirty_ && now - last_sync_ms_ >= config_.flush_ms;
  std::vector<std::shared_ptr<segment>> sync;
  bool directory = false;
  if (interval_due) {
    sync.push_back(segments_.back());
    directory = std::exchange(directory_dirty_, false);
    dirty_ = false;
    last_sync_ms_ = now;
  }
  // Retention deletes whole segments, oldest first, never the active one.
  std::vector<std::shared_ptr<segment>> expired;
  if (check_retention) {
    std::uint64_t total = 0;
    for (const auto& s : segments_) total += s->size();
    while (segments_.size() > 1) {
      const auto& oldest = segments_.front();
      const bool too_old = config_.retention_ms >= 0 && oldest->max_timestamp() >= 0 &&
                           oldest->max_timestamp() < now - config_.retention_ms;
      const bool too_big = config_.retention_bytes >= 0 &&
                           total - oldest->size() >= static_cast<std::uint64_t>(config_.retention_bytes);
      if (!too_old && !too_big) break;
      total -= oldest->size();
      std::erase(seal, oldest);  // no point sealing what is about to go
      expired.push_back(oldest);
      segments_.erase(segments_.begin());
    }
    if (!expired.empty()) directory_dirty_ = true;
  }
  lock.unlock();

  for (const auto& s : seal) {
    if (auto r = s->datasync(); !r) spdlog::error("partition {}: {}", name_, r.error().message);
    if (auto r = s->write_index(); !r) {
      spdlog::warn("partition {}: index not written ({}); it will be rebuilt", name_, r.error().message);
    }
  }
  if (!sync.empty()) {
    if (auto r = sync_segments(sync, directory); !r) spdlog::error("partition {}: {}", name_, r.error().message);
  }
  for (const auto& s : expired) {
    spdlog::info("partition {}: retention deleted segment {} (offsets {}..{})", name_, s->path().string(),
                 s->base_offset(), s->next_offset() - 1);
    s->remove_files();
  }
}

log_result<void> partition::close() {
  sync_pending();
  std::unique_lock lock(mutex_);
  closed_ = true;
  closed_flag_.store(true, std::memory_order_release);
  auto seal = std::move(to_seal_);
  to_seal_.clear();
  auto active = segments_.back();
  lock.unlock();
  for (const auto& s : seal) {
    if (auto r = s->datasync(); !r) return r;
    if (auto r = s->write_index(); !r) return r;
  }
  if (auto r = active->datasync(); !r) return r;
  return sync_directory(dir_);
}

std::int64_t partition::log_start_offset() const {
  std::lock_guard lock(mutex_);
  return segments_.front()->base_offset();
}

std::int64_t partition::high_watermark() const {
  std::lock_guard lock(mutex_);
  return high_watermark_;
}

std::int64_t partition::log_end_offset() const {
  std::lock_guard lock(mutex_);
  return log_end_offset_;
}

std::uint64_t partition::size_bytes() const {
  std::lock_guard lock(mutex_);
  std::uint64_t total = 0;
  for (const auto& s : segments_) total += s->size();
  return total;
}

partition::waiter_id partition::wait_for_data(std::int64_t offset, std::function<void()> notify) {
  std::unique_lock lock(mutex_);
  const waiter_id id = next_waiter_++;
  if (offset < high_watermark_) {
    lock.unlock();
    notify();
    return id;
  }
  waiters_.push_back({id, offset, std::move(notify)});
  return id;
}

bool partition::cancel_wait(waiter_id id) {
  std::lock_guard lock(mutex_);
  const auto before = waiters_.size();
  std::erase_if(waiters_, [id](const waiter& w) { return w.id == id; });
  return waiters_.size() != before;
}

log_error partition::corrupt_at(const segment& s, std::uint64_t position, const std::string& why) const {
  return log_error{log_errc::corrupt, "partition " + name_ + ": corrupt batch in " + s.path().string() +
                                          " at position " + std::to_string(position) + ": " + why};
}

log_result<read_result> partition::read(std::int64_t offset, std::size_t max_bytes) const {
  std::unique_lock lock(mutex_);
  read_result out;
  out.high_watermark = high_watermark_;
  out.log_start_offset = segments_.front()->base_offset();
  if (offset < out.log_start_offset || offset > out.high_watermark) {
    return fail(log_error{log_errc::offset_out_of_range, "partition " + name_ + ": offset " + std::to_string(offset) +
                                                             " is outside " + std::to_string(out.log_start_offset) +
                                                             ".." + std::to_string(out.high_watermark)});
  }
  if (offset == out.high_watermark) return out;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](std::int64_t o, const auto& s) { return o < s->base_offset(); });
  std::vector<std::shared_ptr<segment>> candidates(std::prev(it), segments_.end());
  auto [position, exact] = candidates.front()->locate(offset);
  lock.unlock();

  for (const auto& seg : candidates) {
    const std::uint64_t limit = seg->committed();
    std::optional<batch_header> first;  // the batch holding `offset`, when a scan found it
    if (!exact) {
      // Find the batch containing `offset` from the indexed position, one header at a time.
      std::uint8_t header[batch_header_size];
      while (position + batch_header_size <= limit) {
        auto got = seg->data().pread(position, header);
        if (!got) return fail(got.error());
        auto h = parse_batch_header({header, *got});
        if (!h) return fail(corrupt_at(*seg, position, h.error().message));
        if (h->next_offset() > offset) {
          first = *h;
          break;
        }
        position += h->size();
      }
      if (!first) {
        position = 0;  // a gap: the next segment holds the offset
        continue;
      }
    }
    exact = false;  // the position was the first candidate's
    // At least the whole first batch, else up to max_bytes. Found by an exact position, the first
    // batch's size is known only once read: a batch larger than max_bytes takes a second read.
    auto read_from = [&](std::uint64_t want) -> log_result<void> {
      const std::uint64_t available = limit > position ? limit - position : 0;
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, available));
      out.bytes.resize(n);
      auto got = seg->data().pread(position, {reinterpret_cast<std::uint8_t*>(out.bytes.data()), n});
      if (!got) return fail(got.error());
      out.bytes.resize(*got);
      return {};
    };
    const std::uint64_t want = std::max<std::uint64_t>({first ? first->size() : 0, max_bytes, batch_header_size});
    if (auto r = read_from(want); !r) return fail(r.error());
    if (!first) {
      auto h = parse_batch_header({reinterpret_cast<const std::uint8_t*>(out.bytes.data()), out.bytes.size()});
      if (!h) return fail(corrupt_at(*seg, position, h.error().message));
      if (h->size() > out.bytes.size()) {
        if (auto r = read_from(h->size()); !r) return fail(r.error());
      }
    }
    // Keep whole, verified batches only.
    std::size_t used = 0;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(out.bytes.data());
    while (used + batch_header_size <= out.bytes.size()) {
      auto h = parse_batch_header({bytes + used, out.bytes.size() - used});
      if (!h) return fail(corrupt_at(*seg, position + used, h.error().message));
      if (used + h->size() > out.bytes.size()) break;
      if (auto v = validate_batch({bytes + used, h->size()}); !v) {
        return fail(corrupt_at(*seg, position + used, "offset " + std::to_string(h->base_offset) + ": " + v.error().message));
      }
      used += h->size();
    }
    if (used == 0) return fail(corrupt_at(*seg, position, "batch shorter than its header says"));
    out.bytes.resize(used);
    return out;
  }
  return out;
}

log_result<std::optional<std::int64_t>> partition::offset_for_timestamp(std::int64_t timestamp) const {
  std::unique_lock lock(mutex_);
  auto it = std::find_if(segments_.begin(), segments_.end(), [&](const auto& s) { return s->max_timestamp() >= timestamp; });
  if (it == segments_.end()) return std::optional<std::int64_t>{};
  std::vector<std::shared_ptr<segment>> candidates(it, segments_.end());
  std::uint64_t position = (*it)->position_for_timestamp(timestamp);
  lock.unlock();
  for (const auto& seg : candidates) {
    batch_scanner scan(seg->data(), position, seg->committed());
    position = 0;
    for (;;) {
      const auto st = scan.next();
      if (st == batch_scanner::status::end) break;
      if (st != batch_scanner::status::batch) return fail(corrupt_at(*seg, scan.position(), scan.problem()));
      if (scan.header().max_timestamp < timestamp) continue;
      auto records = decode_records(scan.bytes());
      if (!records && scan.header().codec() != compression::none) {
        // A producer's compressed bytes that do not open: the batch's first offset is the answer.
        return std::optional<std::int64_t>(scan.header().base_offset);
      }
      if (!records) return fail(corrupt_at(*seg, scan.position(), records.error().message));
      for (const auto& r : *records) {
        if (r.timestamp >= timestamp) return std::optional<std::int64_t>(r.offset);
      }
    }
  }
  return std::optional<std::int64_t>{};
}

log_result<std::vector<record>> partition::latest_per_key() const {
  std::unique_lock lock(mutex_);
  auto segments = segments_;
  lock.unlock();
  std::map<std::string, record> latest;
  for (const auto& seg : segments) {
    batch_scanner scan(seg->data(), 0, seg->committed());
    for (;;) {
      const auto st = scan.next();
      if (st == batch_scanner::status::end) break;
      if (st != batch_scanner::status::batch) return fail(corrupt_at(*seg, scan.position(), scan.problem()));
      auto records = decode_records(scan.bytes());
      if (!records) return fail(corrupt_at(*seg, scan.position(), records.error().message));
      for (auto& r : *records) {
        if (!r.key) continue;
        if (!r.value) {
          latest.erase(*r.key);
        } else {
          latest.insert_or_assign(*r.key, std::move(r));
        }
      }
    }
  }
  std::vector<record> out;
  out.reserve(latest.size());
  for (auto& [key, r] : latest) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(), [](const record& a, const record& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace tributary::log
