// segment: one file of consecutive record batches, <base-offset>.log, with its sparse index
// (<base-offset>.index, docs/formats/log-segment.md). The partition serializes appends, rolls and
// index lookups under its mutex; file reads below committed() need no lock, since bytes below it
// never change. Owned through shared_ptr so a reader keeps a segment alive while retention drops it.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "log/file.h"
#include "log/record_batch.h"

namespace tributary::log {

struct index_entry {
  std::uint32_t relative_offset;      // base offset of the indexed batch - segment base offset
  std::uint32_t position;             // file position of that batch
  std::int64_t max_timestamp_before;  // largest timestamp of the batches before it (-1 if none)
};

// What recovery of a tail segment found, for the log.
struct recovery_report {
  std::uint64_t batches = 0;
  std::uint64_t truncated_bytes = 0;
  std::string truncated_reason;  // empty when nothing was cut
};

// Walks the batches of a file in large sequential reads; headers only or with their bytes.
class batch_scanner {
 public:
  batch_scanner(const file& f, std::uint64_t start, std::uint64_t end);
  enum class status { batch, end, incomplete, malformed, io_error };
  // Advances to the next batch. On `batch`, header() and bytes() describe it (bytes valid until
  // the next call); on `incomplete` / `malformed`, position() is where the bad batch starts.
  status next();
  const batch_header& header() const { return header_; }
  std::span<const std::uint8_t> bytes() const { return bytes_; }
  std::uint64_t position() const { return position_; }
  const std::string& problem() const { return problem_; }

 private:
  bool fill(std::size_t need);
  const file& file_;
  std::uint64_t end_;
  std::uint64_t position_;        // start of the current batch
  std::uint64_t next_position_;   // start of the following one
  std::vector<std::uint8_t> buffer_;
  std::uint64_t buffer_start_ = 0;  // file position of buffer_[0]
  std::size_t buffer_len_ = 0;
  batch_header header_;
  std::span<const std::uint8_t> bytes_;
  std::string problem_;
};

class segment {
 public:
  static constexpr std::size_t index_interval_bytes = 4096;

  static std::filesystem::path log_path(const std::filesystem::path& dir, std::int64_t base_offset);
  static std::filesystem::path index_path(const std::filesystem::path& dir, std::int64_t base_offset);

  static log_result<std::shared_ptr<segment>> create(const std::filesystem::path& dir, std::int64_t base_offset);
  // A sealed segment: loads its index, or rebuilds it from the batch headers when missing or damaged.
  static log_result<std::shared_ptr<segment>> open_sealed(const std::filesystem::path& dir, std::int64_t base_offset);
  // The tail segment: CRC-checks every batch and truncates a torn tail; refuses (corrupt) when a
  // bad batch is followed by valid ones, since that is damage, not an interrupted write.
  static log_result<std::shared_ptr<segment>> recover(const std::filesystem::path& dir, std::int64_t base_offset,
                                                      recovery_report& report);

  std::int64_t base_offset() const { return base_offset_; }
  std::int64_t next_offset() const { return next_offset_; }
  std::uint64_t size() const { return size_; }
  std::int64_t max_timestamp() const { return max_timestamp_; }
  std::int64_t created_ms() const { return created_ms_; }
  const std::filesystem::path& path() const { return file_.path(); }

  // Bytes readers may see: whole batches at or below the high watermark.
  std::uint64_t committed() const { return committed_.load(std::memory_order_acquire); }
  void set_committed(std::uint64_t position);

  // Appends one batch whose base offset is already assigned (partition lock held).
  log_result<void> append(std::span<const std::uint8_t> batch, const batch_header& h);
  // Several whole batches laid end to end in `bytes` (headers in the same order), in one write.
  log_result<void> append_batches(std::span<const std::uint8_t> bytes, std::span<const batch_header> headers);
  log_result<void> datasync() { return file_.datasync(); }
  // Writes the index file; called when the segment stops being the tail.
  log_result<void> write_index();
  void remove_files();

  // Index lookups (partition lock held): where to start looking for the batch holding `offset`
  // (`exact` when that batch starts there, as for every batch after the last index entry), and a
  // position at or before the first batch whose max timestamp is >= `timestamp`.
  struct offset_position {
    std::uint64_t position;
    bool exact;
  };
  offset_position locate(std::int64_t offset) const;
  std::uint64_t position_for_timestamp(std::int64_t timestamp) const;
  // Drops the exact positions kept for the batches after the last index entry, once the segment
  // is no longer the tail that consumers read (partition lock held).
  void forget_tail_positions();

  const file& data() const { return file_; }

 private:
  segment(file f, std::filesystem::path dir, std::int64_t base_offset);
  void track(const batch_header& h, std::uint64_t position);
  log_result<void> rebuild_index_from(std::uint64_t start);
  bool load_index();

  file file_;
  std::filesystem::path dir_;
  std::int64_t base_offset_;
  std::int64_t next_offset_;
  std::uint64_t size_ = 0;
  std::int64_t max_timestamp_ = -1;
  std::int64_t created_ms_;
  std::uint64_t last_indexed_position_ = 0;
  std::vector<index_entry> index_;
  // Every batch from the last index entry on (fewer than index_interval_bytes / the smallest batch
  // size), so that reads at the tail, where consumers wait, need no header scan.
  struct tail_position {
    std::uint32_t relative_offset;
    std::uint32_t position;
  };
  std::vector<tail_position> tail_;
  std::atomic<std::uint64_t> committed_{0};
};

}  // namespace tributary::log
