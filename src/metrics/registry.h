// registry: Tributary's metrics and their Prometheus text exposition (format 0.0.4). Counters and
// gauges are lock-free to update from any thread; families are registered at start-up and live as
// long as the registry. Collectors add samples computed at scrape time (e.g. process metrics).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tributary::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
 public:
  void set(std::int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

// Count, sum and maximum of observed values (Micrometer's distribution summary and timer): exposed
// as a Prometheus summary `<name>_count`/`<name>_sum` plus a gauge `<name>_max`.
class summary {
 public:
  void observe(double v) {
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    double seen = max_.load(std::memory_order_relaxed);
    while (v > seen && !max_.compare_exchange_weak(seen, v, std::memory_order_relaxed)) {
    }
  }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  double max() const { return max_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> count_{0};
  std::atomic<double> sum_{0};
  std::atomic<double> max_{0};
};

// What a collector writes at scrape time.
class exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const labels& l, double value);
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class registry {
 public:
  using collector = std::function<void(exposition&)>;

  // The same (name, labels) returns the same instrument; a name keeps its first help and type.
  counter& get_counter(const std::string& name, const std::string& help, const labels& l = {});
  gauge& get_gauge(const std::string& name, const std::string& help, const labels& l = {});
  summary& get_summary(const std::string& name, const std::string& help, const labels& l = {});
  void add_collector(collector c);

  std::string render() const;

 private:
  struct family {
    std::string type, help;
    std::map<labels, counter*> counters;
    std::map<labels, gauge*> gauges;
    std::map<labels, summary*> summaries;
  };
  mutable std::mutex mutex_;
  std::map<std::string, family> families_;
  std::deque<counter> counter_storage_;
  std::deque<gauge> gauge_storage_;
  std::deque<summary> summary_storage_;
  std::vector<collector> collectors_;
};

// process_* metrics as the Prometheus client libraries name them, read from /proc/self.
void collect_process_metrics(exposition& out);

}  // namespace tributary::metrics
