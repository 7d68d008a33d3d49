#include "log/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tributary::log {

log_result<file> file::open(const std::filesystem::path& path, bool create) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) {
    return fail(log_error{log_errc::io_error, "cannot open " + path.string() + ": " + std::strerror(errno)});
  }
  return file(fd, path);
}

file::file(file&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

file& file::operator=(file&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

file::~file() {
  if (fd_ >= 0) ::close(fd_);
}

log_error file::io_error(const char* op) const {
  return log_error{log_errc::io_error, std::string(op) + " " + path_.string() + ": " + std::strerror(errno)};
}

log_result<std::uint64_t> file::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return fail(io_error("fstat"));
  return static_cast<std::uint64_t>(st.st_size);
}

log_result<std::size_t> file::pread(std::uint64_t position, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("read"));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

log_result<void> file::pwrite_all(std::uint64_t position, std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(position + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error("write"));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

log_result<void> file::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return fail(io_error("truncate"));
  return {};
}

log_result<void> file::datasync() {
  if (::fdatasync(fd_) != 0) return fail(io_error("fdatasync"));
  return {};
}

log_result<void> sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(log_error{log_errc::io_error, "open " + dir.string() + ": " + std::strerror(errno)});
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return fail(log_error{log_errc::io_error, "fsync " + dir.string() + ": " + std::strerror(err)});
  return {};
}

log_result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const auto tmp = std::filesystem::path(path.string() + ".tmp");
  {
    auto f = file::open(tmp, true);
    if (!f) return fail(f.error());
    if (auto r = f->truncate(0); !r) return r;
    if (auto r = f->pwrite_all(0, {reinterpret_cast<const std::uint8_t*>(content.data()), content.size()}); !r) return r;
    if (auto r = f->datasync(); !r) return r;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(log_error{log_errc::io_error, "rename " + tmp.string() + ": " + std::strerror(errno)});
  }
  return sync_directory(path.parent_path());
}

}  // namespace tributary::log
