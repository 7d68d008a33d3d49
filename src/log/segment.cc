#include "log/segment.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/big_endian.h"

namespace tributary::log {
namespace {

constexpr std::size_t scan_chunk = 1 << 20;
constexpr std::size_t index_entry_size = 16;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string padded(std::int64_t base_offset) {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(base_offset));
  return name;
}

bool all_zero(const file& f, std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint8_t> buf(64 * 1024);
  while (from < to) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), to - from));
    auto got = f.pread(from, {buf.data(), n});
    if (!got || *got == 0) return false;
    if (std::any_of(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got), [](std::uint8_t b) { return b != 0; })) {
      return false;
    }
    from += *got;
  }
  return true;
}

}  // namespace

// ---- batch_scanner ----

batch_scanner::batch_scanner(const file& f, std::uint64_t start, std::uint64_t end)
    : file_(f), end_(end), position_(start), next_position_(start) {}

bool batch_scanner::fill(std::size_t need) {
  // Ensures buffer_ holds [next_position_, next_position_ + need) if the file has it.
  const std::uint64_t have_from = buffer_start_;
  const std::uint64_t have_to = buffer_start_ + buffer_len_;
  if (next_position_ >= have_from && next_position_ + need <= have_to) return true;
  const std::size_t want = std::max(need, scan_chunk);
  if (buffer_.size() < want) buffer_.resize(want);
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want, end_ - next_position_));
  auto got = file_.pread(next_position_, {buffer_.data(), n});
  if (!got) {
    problem_ = got.error().message;
    return false;
  }
  buffer_start_ = next_position_;
  buffer_len_ = *got;
  if (buffer_len_ < need) {
    problem_ = file_.path().string() + " shrank while being read";
    return false;
  }
  return true;
}

batch_scanner::status batch_scanner::next() {
  position_ = next_position_;
  if (position_ >= end_) return status::end;
  problem_.clear();
  if (end_ - position_ < batch_header_size) {
    problem_ = std::to_string(end_ - position_) + " bytes, less than a batch header";
    return status::incomplete;
  }
  if (!fill(batch_header_size)) return status::io_error;
  const std::uint8_t* p = buffer_.data() + (position_ - buffer_start_);
  auto h = parse_batch_header({p, batch_header_size});
  if (!h) {
    problem_ = h.error().message;
    return status::malformed;
  }
  if (h->size() > end_ - position_) {
    problem_ = "batch of " + std::to_string(h->size()) + " bytes, only " + std::to_string(end_ - position_) + " present";
    return status::incomplete;
  }
  if (!fill(h->size())) return status::io_error;
  header_ = *h;
  bytes_ = {buffer_.data() + (position_ - buffer_start_), h->size()};
  next_position_ = position_ + h->size();
  return status::batch;
}

// ---- segment ----

std::filesystem::path segment::log_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return dir / (padded(base_offset) + ".log");
}

std::filesystem::path segment::index_path(const std::filesystem::path& dir, std::int64_t base_offset) {
  return dir / (padded(base_offset) + ".index");
}

segment::segment(file f, std::filesystem::path dir, std::int64_t base_offset)
    : file_(std::move(f)), dir_(std::move(dir)), base_offset_(base_offset), next_offset_(base_offset),
      created_ms_(now_ms()) {}

log_result<std::shared_ptr<segment>> segment::create(const std::filesystem::path& dir, std::int64_t base_offset) {
  auto f = file::open(log_path(dir, base_offset), true);
  if (!f) return fail(f.error());
  if (auto r = f->truncate(0); !r) return fail(r.error());
  std::error_code ignored;
  std::filesystem::remove(index_path(dir, base_offset), ignored);
  return std::shared_ptr<segment>(new segment(std::move(*f), dir, base_offset));
}

void segment::set_committed(std::uint64_t position) {
  std::uint64_t current = committed_.load(std::memory_order_relaxed);
  while (position > current && !committed_.compare_exchange_weak(current, position, std::memory_order_release)) {
  }
}

void segment::track(const batch_header& h, std::uint64_t position) {
  if (index_.empty() || position - last_indexed_position_ >= index_interval_bytes) {
    index_.push_back({static_cast<std::uint32_t>(h.base_offset - base_offset_), static_cast<std::uint32_t>(position),
                      max_timestamp_});
    last_indexed_position_ = position;
    tail_.clear();
  }
  tail_.push_back({static_cast<std::uint32_t>(h.base_offset - base_offset_), static_cast<std::uint32_t>(position)});
  max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
  next_offset_ = h.next_offset();
  size_ = position + h.size();
}

log_result<void> segment::append(std::span<const std::uint8_t> batch, const batch_header& h) {
  if (auto r = file_.pwrite_all(size_, batch); !r) {
    // A partial write leaves garbage past size_; the next append overwrites it, and recovery
    // truncates it after a crash.
    return r;
  }
  track(h, size_);
  return {};
}

log_result<void> segment::append_batches(std::span<const std::uint8_t> bytes, std::span<const batch_header> headers) {
  if (auto r = file_.pwrite_all(size_, bytes); !r) return r;
  for (const auto& h : headers) track(h, size_);  // track() moves size_ past each batch
  return {};
}

log_result<void> segment::write_index() {
  std::string bytes(index_.size() * index_entry_size, '\0');
  auto* p = reinterpret_cast<std::uint8_t*>(bytes.data());
  for (const auto& e : index_) {
    write_be(p, e.relative_offset);
    write_be(p + 4, e.position);
    write_be(p + 8, e.max_timestamp_before);
    p += index_entry_size;
  }
  return write_file_atomically(index_path(dir_, base_offset_), bytes);
}

void segment::remove_files() {
  std::error_code ignored;
  std::filesystem::remove(index_path(dir_, base_offset_), ignored);
  std::filesystem::remove(log_path(dir_, base_offset_), ignored);
}

bool segment::load_index() {
  auto f = file::open(index_path(dir_, base_offset_), false);
  if (!f) return false;
  auto n = f->size();
  if (!n || *n % index_entry_size != 0 || *n == 0) return false;
  std::vector<std::uint8_t> bytes(*n);
  auto got = f->pread(0, bytes);
  if (!got || *got != bytes.size()) return false;
  std::vector<index_entry> entries;
  for (std::size_t i = 0; i < bytes.size(); i += index_entry_size) {
    index_entry e{read_be<std::uint32_t>(&bytes[i]), read_be<std::uint32_t>(&bytes[i + 4]),
                  read_be<std::int64_t>(&bytes[i + 8])};
    if (!entries.empty() && (e.position <= entries.back().position || e.relative_offset < entries.back().relative_offset ||
                             e.max_timestamp_before < entries.back().max_timestamp_before)) {
      return false;
    }
    if (e.position >= size_) return false;
    entries.push_back(e);
  }
  if (entries.front().position != 0) return false;
  // The last entry must point at a batch with the offset it claims.
  std::uint8_t header[batch_header_size];
  auto read = file_.pread(entries.back().position, header);
  if (!read || *read != batch_header_size) return false;
  auto h = parse_batch_header(header);
  if (!h || h->base_offset != base_offset_ + entries.back().relative_offset) return false;
  index_ = std::move(entries);
  return true;
}

log_result<void> segment::rebuild_index_from(std::uint64_t start) {
  batch_scanner scan(file_, start, size_);
  for (;;) {
    switch (scan.next()) {
      case batch_scanner::status::batch:
        track(scan.header(), scan.position());
        break;
      case batch_scanner::status::end:
        return {};
      case batch_scanner::status::io_error:
        return fail(log_error{log_errc::io_error, scan.problem()});
      case batch_scanner::status::incomplete:
      case batch_scanner::status::malformed:
        return fail(log_error{log_errc::corrupt, "segment " + file_.path().string() + ": bad batch at position " +
                                                     std::to_string(scan.position()) + " (offset " +
                                                     std::to_string(next_offset_) + "): " + scan.problem()});
    }
  }
}

log_result<std::shared_ptr<segment>> segment::open_sealed(const std::filesystem::path& dir, std::int64_t base_offset) {
  auto f = file::open(log_path(dir, base_offset), false);
  if (!f) return fail(f.error());
  auto size = f->size();
  if (!size) return fail(size.error());
  std::shared_ptr<segment> s(new segment(std::move(*f), dir, base_offset));
  s->size_ = *size;
  std::uint64_t scan_from = 0;
  if (s->load_index()) {
    // Headers after the last indexed batch give the segment's end offset and max timestamp.
    const index_entry last = s->index_.back();
    s->max_timestamp_ = last.max_timestamp_before;
    s->last_indexed_position_ = last.position;
    scan_from = last.position;
    s->index_.pop_back();  // re-added by track()
  }
  const std::uint64_t size_on_disk = s->size_;
  if (auto r = s->rebuild_index_from(scan_from); !r) return fail(r.error());
  s->size_ = size_on_disk;
  s->set_committed(s->size_);
  s->forget_tail_positions();  // sealed: not the tail
  return s;
}

log_result<std::shared_ptr<segment>> segment::recover(const std::filesystem::path& dir, std::int64_t base_offset,
                                                      recovery_report& report) {
  auto f = file::open(log_path(dir, base_offset), false);
  if (!f) return fail(f.error());
  auto size = f->size();
  if (!size) return fail(size.error());
  std::shared_ptr<segment> s(new segment(std::move(*f), dir, base_offset));
  batch_scanner scan(s->file_, 0, *size);
  std::string problem;
  for (;;) {
    const auto st = scan.next();
    if (st == batch_scanner::status::end) break;
    if (st == batch_scanner::status::io_error) return fail(log_error{log_errc::io_error, scan.problem()});
    if (st == batch_scanner::status::batch) {
      auto valid = validate_batch(scan.bytes());
      if (valid && scan.header().base_offset == s->next_offset_) {
        s->track(scan.header(), scan.position());
        ++report.batches;
        continue;
      }
      problem = valid ? "offset " + std::to_string(scan.header().base_offset) + ", expected " +
                            std::to_string(s->next_offset_)
                      : valid.error().message;
      // A complete bad batch: damage if a good batch with the expected next offset follows.
      batch_scanner after(s->file_, scan.position() + scan.header().size(), *size);
      if (after.next() == batch_scanner::status::batch && validate_batch(after.bytes()) &&
          after.header().base_offset == scan.header().next_offset()) {
        return fail(log_error{log_errc::corrupt,
                              "segment " + s->path().string() + ": corrupt batch at position " +
                                  std::to_string(scan.position()) + " (offset " + std::to_string(s->next_offset_) +
                                  "): " + problem +
                                  "; valid batches follow, so this is damage, not an interrupted write. Refusing to "
                                  "open the partition; move the segment aside to give up the data after it"});
      }
    } else if (st == batch_scanner::status::malformed) {
      problem = scan.problem();
      if (!all_zero(s->file_, scan.position(), *size)) {
        return fail(log_error{log_errc::corrupt, "segment " + s->path().string() + ": unreadable batch header at position " +
                                                     std::to_string(scan.position()) + " (offset " +
                                                     std::to_string(s->next_offset_) + "): " + problem +
                                                     ", followed by non-zero data; refusing to open the partition"});
      }
    } else {
      problem = scan.problem();
    }
    report.truncated_bytes = *size - scan.position();
    report.truncated_reason = "at position " + std::to_string(scan.position()) + " (offset " +
                              std::to_string(s->next_offset_) + "): " + problem;
    if (auto r = s->file_.truncate(scan.position()); !r) return fail(r.error());
    if (auto r = s->file_.datasync(); !r) return fail(r.error());
    break;
  }
  s->set_committed(s->size_);
  std::error_code ignored;
  std::filesystem::remove(index_path(dir, base_offset), ignored);  // the tail's index is rebuilt in memory
  return s;
}

segment::offset_position segment::locate(std::int64_t offset) const {
  const auto rel = static_cast<std::uint32_t>(std::max<std::int64_t>(0, offset - base_offset_));
  if (!tail_.empty() && rel >= tail_.front().relative_offset && offset < next_offset_) {
    auto it = std::upper_bound(tail_.begin(), tail_.end(), rel,
                               [](std::uint32_t r, const tail_position& t) { return r < t.relative_offset; });
    return {std::prev(it)->position, true};
  }
  auto it = std::upper_bound(index_.begin(), index_.end(), rel,
                             [](std::uint32_t r, const index_entry& e) { return r < e.relative_offset; });
  return {it == index_.begin() ? 0 : std::prev(it)->position, false};
}

void segment::forget_tail_positions() {
  tail_.clear();
  tail_.shrink_to_fit();
}

std::uint64_t segment::position_for_timestamp(std::int64_t timestamp) const {
  // Entries whose preceding batches all have max timestamps < timestamp can be skipped to.
  auto it = std::lower_bound(index_.begin(), index_.end(), timestamp,
                             [](const index_entry& e, std::int64_t ts) { return e.max_timestamp_before < ts; });
  return it == index_.begin() ? 0 : std::prev(it)->position;
}

}  // namespace tributary::log
