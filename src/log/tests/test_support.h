// Helpers for log tests: temporary directories, file damage, synchronous appends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include "log/partition.h"

namespace tributary::log::testing {

class temp_dir {
 public:
  temp_dir() {
    char tmpl[] = "/tmp/tributary-log-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline record make_record(std::string key, std::string value, std::int64_t timestamp = 1700000000000) {
  record r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.timestamp = timestamp;
  return r;
}

// Appends and waits for the acknowledgement.
inline log_result<append_info> append_sync(partition& p, std::vector<record> records) {
  std::promise<log_result<append_info>> done;
  auto f = done.get_future();
  p.append_records(records, [&done](log_result<append_info> r) { done.set_value(std::move(r)); });
  return f.get();
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

inline void flip_byte(const std::filesystem::path& path, std::size_t position) {
  std::string bytes = read_file(path);
  ASSERT_LT(position, bytes.size());
  bytes[position] = static_cast<char>(bytes[position] ^ 0x5a);
  write_file(path, bytes);
}

inline void truncate_tail(const std::filesystem::path& path, std::size_t bytes_to_cut) {
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - bytes_to_cut);
}

// Decodes every record of a read result.
inline std::vector<record> records_of(const read_result& r) {
  std::vector<record> out;
  std::size_t pos = 0;
  const auto bytes = as_bytes(r.bytes);
  while (pos < bytes.size()) {
    auto h = parse_batch_header(bytes.subspan(pos));
    EXPECT_TRUE(h.ok());
    if (!h) break;
    auto recs = decode_records(bytes.subspan(pos, h->size()));
    EXPECT_TRUE(recs.ok()) << recs.error().message;
    if (!recs) break;
    out.insert(out.end(), recs->begin(), recs->end());
    pos += h->size();
  }
  return out;
}

}  // namespace tributary::log::testing
