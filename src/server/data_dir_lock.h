// data_dir_lock: makes one process the owner of a data directory, with flock(2) on
// <data-dir>/tributary.lock. The kernel drops the lock when the process dies, so kill -9 never
// leaves the directory locked. Held for the life of the server; no other module touches the file.
#pragma once

#include <filesystem>

#include "common/result.h"

namespace tributary::server {

enum class lock_errc {
  cannot_create,  // the directory or the lock file cannot be created (permissions, not a directory)
  in_use,         // another live process holds the lock
};
using lock_error = coded_error<lock_errc>;

class data_dir_lock {
 public:
  static result<data_dir_lock, lock_error> acquire(const std::filesystem::path& dir);
  data_dir_lock(data_dir_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  data_dir_lock& operator=(data_dir_lock&&) = delete;
  ~data_dir_lock();

 private:
  explicit data_dir_lock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tributary::server
