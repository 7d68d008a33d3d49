#include "server/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tributary::server {

result<data_dir_lock, lock_error> data_dir_lock::acquire(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return fail(lock_error{lock_errc::cannot_create, "cannot create data directory " + dir.string() + ": " + ec.message()});
  }
  const auto path = dir / "tributary.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(lock_error{lock_errc::cannot_create, "cannot open " + path.string() + ": " + std::strerror(errno)});
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {};
    const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : std::string();
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    if (err == EWOULDBLOCK) {
      return fail(lock_error{lock_errc::in_use, "data directory " + dir.string() +
                                                    " is in use by another tributary process" +
                                                    (holder.empty() ? "" : " (pid " + holder + ")") +
                                                    "; stop it or choose another --data-dir"});
    }
    return fail(lock_error{lock_errc::cannot_create, "cannot lock " + path.string() + ": " + std::strerror(err)});
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The pid is only for the message above; the lock itself is held.
  }
  return data_dir_lock(fd);
}

data_dir_lock::~data_dir_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace tributary::server
