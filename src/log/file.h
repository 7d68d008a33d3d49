// file: a POSIX file descriptor with the few operations segments need, each returning errors as
// values that name the file. pread and the size query are safe from any thread; writes are the
// partition's to serialize.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "log/log_error.h"

namespace tributary::log {

class file {
 public:
  static log_result<file> open(const std::filesystem::path& path, bool create);
  file(file&& other) noexcept;
  file& operator=(file&& other) noexcept;
  ~file();

  const std::filesystem::path& path() const { return path_; }
  log_result<std::uint64_t> size() const;
  // Reads up to `out.size()` bytes at `position`; fewer only at end of file.
  log_result<std::size_t> pread(std::uint64_t position, std::span<std::uint8_t> out) const;
  log_result<void> pwrite_all(std::uint64_t position, std::span<const std::uint8_t> bytes);
  log_result<void> truncate(std::uint64_t size);
  log_result<void> datasync();

 private:
  file(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  log_error io_error(const char* op) const;
  int fd_ = -1;
  std::filesystem::path path_;
};

// Writes `content` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
log_result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content);
log_result<void> sync_directory(const std::filesystem::path& dir);

}  // namespace tributary::log
