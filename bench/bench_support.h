// bench_support: what every benchmark program here measures with: a monotonic clock, rates, the
// CPU time of a process (this one or a server's), percentiles, and the first failure of a run.
// Header-only; benchmarks only, never linked into tributary.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <vector>

namespace tributary::bench {

inline std::int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline double seconds_between(std::int64_t start_ns, std::int64_t end_ns) { return static_cast<double>(end_ns - start_ns) / 1e9; }
inline double per_s(double n, double seconds) { return seconds > 0 ? n / seconds : 0; }

// User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15; pid 0: this
// process); -1 if unknown.
inline double cpu_seconds(int pid) {
  const std::string path = pid ? "/proc/" + std::to_string(pid) + "/stat" : "/proc/self/stat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return -1;
  char line[1024];
  const bool read = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  const char* after_name = read ? std::strrchr(line, ')') : nullptr;  // the name may hold spaces
  unsigned long long utime = 0, stime = 0;
  if (!after_name ||
      std::sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
    return -1;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds this process and a server (pid; 0: none) have used since construction. On a machine
// whose few cores they share, CPU per operation bounds every rate and lengthens every tail.
class cpu_usage {
 public:
  explicit cpu_usage(int server_pid) : server_pid_(server_pid), self_(cpu_seconds(0)), server_(server_now()) {}
  double self_s() const { return cpu_seconds(0) - self_; }
  bool has_server() const { return server_pid_ != 0; }
  double server_s() const { return server_now() - server_; }

 private:
  double server_now() const { return server_pid_ ? cpu_seconds(server_pid_) : 0; }
  int server_pid_;
  double self_;
  double server_;
};

// The q-quantile (0..1) of v; reorders v.
inline std::int64_t percentile(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// The first error of a run wins; later ones are usually its consequences.
struct failure {
  std::mutex mutex;
  std::string first;
  std::atomic<bool> failed{false};
  void set(std::string message) {
    std::lock_guard lock(mutex);
    if (!failed.exchange(true)) first = std::move(message);
  }
};

}  // namespace tributary::bench
