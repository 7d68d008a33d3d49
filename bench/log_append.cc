// log_append_bench: appends fixed-size records to a one-partition topic of a fresh embedded log,
// one record per partition::append_records call (the adapters' path), with flush policy os or
// always, then reads the partition back with partition::read. Appender threads wait for acks on a
// condition variable (acks for `always` arrive on the flusher thread). Prints one line per result,
// in MB/s of 10^6 bytes, which bench/log_append parses. A benchmark, never a test: not in ctest.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/log_manager.h"

namespace {

using namespace tributary::log;
using clock_type = std::chrono::steady_clock;

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr std::size_t read_chunk = 1 << 20;

struct options {
  std::filesystem::path dir;
  std::uint64_t bytes = 1ULL << 30;
  std::size_t record_size = 1024;
  std::string mode = "os";
  int appenders = 1;
  int in_flight = 1;
  std::int64_t segment_bytes = topic_config{}.segment_bytes;
};

double seconds_since(clock_type::time_point start, clock_type::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

double mb_per_s(std::uint64_t bytes, double seconds) { return seconds > 0 ? bytes / seconds / 1e6 : 0; }

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the appenders and the ack callbacks share.
struct run_state {
  explicit run_state(std::uint64_t total) : total_records(total) {}
  const std::uint64_t total_records;
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> overloaded{0};
  std::atomic<clock_type::rep> last_ack{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::string first_error;

  void fail(const std::string& message) {
    std::lock_guard lock(error_mutex);
    if (!failed.exchange(true)) first_error = message;
  }
};

// A counting semaphore whose release makes no system call when nobody waits: libstdc++ 12's
// std::counting_semaphore issues a futex wake on every release from zero, which would be charged
// to every synchronous (flush os) append.
class ack_slots {
 public:
  explicit ack_slots(int n) : free_(n) {}
  void acquire() {
    std::unique_lock lock(mutex_);
    freed_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void release(int n = 1) {
    {
      std::lock_guard lock(mutex_);
      free_ += n;
    }
    freed_.notify_one();  // one waiter at most: the appender owning these slots
  }

 private:
  std::mutex mutex_;
  std::condition_variable freed_;
  int free_;
};

// One appender thread: keeps up to `in_flight` appends outstanding; each ack returns a slot.
// Appends refused with `overloaded` (backpressure) are issued again after a short pause.
struct appender {
  appender(std::uint64_t records, int in_flight) : to_issue(static_cast<std::int64_t>(records)), slots(in_flight) {}
  std::atomic<std::int64_t> to_issue;
  std::atomic<bool> back_off{false};
  ack_slots slots;
};

void run_appender(partition& p, appender& me, run_state& state, int index, const options& opt,
                  std::latch& start) {
  record rec;
  char key[32];
  std::snprintf(key, sizeof key, "appender-%03d", index);
  rec.key = key;
  rec.value = std::string(opt.record_size, '\0');
  for (std::size_t i = 0; i < opt.record_size; ++i) (*rec.value)[i] = static_cast<char>('a' + (i * 7 + index) % 26);

  auto done = [&me, &state](log_result<append_info> r) {
    if (r) {
      if (state.acked.fetch_add(1, std::memory_order_relaxed) + 1 == state.total_records) {
        state.last_ack.store(clock_type::now().time_since_epoch().count());
      }
    } else if (r.error().code == log_errc::overloaded) {
      state.overloaded.fetch_add(1, std::memory_order_relaxed);
      me.to_issue.fetch_add(1);
      me.back_off.store(true);
    } else {
      state.fail(r.error().message);
    }
    me.slots.release();
  };

  start.wait();
  for (;;) {
    while (!state.failed.load(std::memory_order_relaxed) && me.to_issue.load() > 0) {
      if (me.back_off.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      me.slots.acquire();
      me.to_issue.fetch_sub(1);
      rec.timestamp = wall_ms();
      p.append_records({&rec, 1}, done);
    }
    // Every slot back means every append of this thread has been answered.
    for (int i = 0; i < opt.in_flight; ++i) me.slots.acquire();
    if (state.failed.load() || me.to_issue.load() == 0) return;
    me.slots.release(opt.in_flight);  // retries of overloaded appends are left
  }
}

std::uint64_t segment_bytes_on_disk(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".log") total += e.file_size();
  }
  return total;
}

// Reads [log start, high watermark) in read_chunk requests, checking that offsets are consecutive.
int read_back(const partition& p, std::uint64_t expected_records) {
  const auto started = clock_type::now();
  std::int64_t offset = p.log_start_offset();
  const std::int64_t end = p.high_watermark();
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  while (offset < end) {
    auto r = p.read(offset, read_chunk);
    if (!r) {
      std::fprintf(stderr, "read at offset %lld: %s\n", static_cast<long long>(offset), r.error().message.c_str());
      return exit_failure;
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(r->bytes.data());
    std::size_t used = 0;
    while (used < r->bytes.size()) {
      auto h = parse_batch_header({data + used, r->bytes.size() - used});
      if (!h || h->base_offset != offset) {
        std::fprintf(stderr, "read at offset %lld: unexpected batch at byte %zu\n", static_cast<long long>(offset), used);
        return exit_failure;
      }
      records += static_cast<std::uint64_t>(h->record_count);
      offset = h->next_offset();
      used += h->size();
    }
    if (used == 0) {
      std::fprintf(stderr, "read at offset %lld returned no batch below the high watermark %lld\n",
                   static_cast<long long>(offset), static_cast<long long>(end));
      return exit_failure;
    }
    bytes += used;
  }
  const double s = seconds_since(started, clock_type::now());
  std::printf("tributary read: %.1f MB/s [%llu records, %llu bytes of batches in %.3f s, %zu-byte reads]\n",
              mb_per_s(bytes, s), static_cast<unsigned long long>(records), static_cast<unsigned long long>(bytes), s,
              read_chunk);
  if (records != expected_records) {
    std::fprintf(stderr, "read %llu records, wrote %llu\n", static_cast<unsigned long long>(records),
                 static_cast<unsigned long long>(expected_records));
    return exit_failure;
  }
  return 0;
}

int run(const options& opt) {
  std::error_code ec;
  if (std::filesystem::exists(opt.dir, ec) && !std::filesystem::is_empty(opt.dir, ec)) {
    std::fprintf(stderr, "%s exists and is not empty; the benchmark deletes its directory, so give it a new one\n",
                 opt.dir.c_str());
    return exit_usage;
  }
  const std::uint64_t total = opt.bytes / opt.record_size;
  if (total == 0) {
    std::fprintf(stderr, "--bytes %llu is less than one record\n", static_cast<unsigned long long>(opt.bytes));
    return exit_usage;
  }

  auto log = log_manager::open({.dir = opt.dir});
  if (!log) {
    std::fprintf(stderr, "%s\n", log.error().message.c_str());
    return exit_failure;
  }
  topic_config config;
  config.partitions = 1;
  config.flush = opt.mode == "always" ? flush_policy::always : flush_policy::os;
  config.segment_bytes = opt.segment_bytes;
  auto created = (*log)->create_topic("bench", config);
  if (!created) {
    std::fprintf(stderr, "%s\n", created.error().message.c_str());
    return exit_failure;
  }
  auto p = (*created)->get(0);

  run_state state(total);
  std::vector<std::unique_ptr<appender>> appenders;
  for (int i = 0; i < opt.appenders; ++i) {
    const std::uint64_t share = total / opt.appenders + (static_cast<std::uint64_t>(i) < total % opt.appenders);
    appenders.push_back(std::make_unique<appender>(share, opt.in_flight));
  }
  std::latch start(1);
  std::vector<std::thread> threads;
  for (int i = 0; i < opt.appenders; ++i) {
    threads.emplace_back([&, i] { run_appender(*p, *appenders[i], state, i, opt, start); });
  }
  const auto started = clock_type::now();
  start.count_down();
  for (auto& th : threads) th.join();
  const auto finished = state.acked.load() == total
                            ? clock_type::time_point(clock_type::duration(state.last_ack.load()))
                            : clock_type::now();
  int status = 0;
  if (state.failed) {
    std::fprintf(stderr, "append failed: %s\n", state.first_error.c_str());
    status = exit_failure;
  } else {
    const double s = seconds_since(started, finished);
    const std::uint64_t payload = total * opt.record_size;
    const std::uint64_t disk = segment_bytes_on_disk(opt.dir);
    std::printf(
        "tributary append %s: %.1f MB/s (payload), %.1f MB/s (disk) [%llu records of %zu bytes, %llu bytes in "
        "segments, %.3f s, %d appender(s), in-flight %d, %llu overloaded retries]\n",
        opt.mode.c_str(), mb_per_s(payload, s), mb_per_s(disk, s), static_cast<unsigned long long>(total),
        opt.record_size, static_cast<unsigned long long>(disk), s, opt.appenders, opt.in_flight,
        static_cast<unsigned long long>(state.overloaded.load()));
    std::fflush(stdout);
    status = read_back(*p, total);
  }

  const auto closing = clock_type::now();
  auto closed = (*log)->close();
  const double close_s = seconds_since(closing, clock_type::now());
  p.reset();
  *created = nullptr;
  *log = nullptr;  // closes the segment files before their directory goes
  if (!closed) {
    std::fprintf(stderr, "close: %s\n", closed.error().message.c_str());
    status = exit_failure;
  } else {
    std::printf("tributary close: %.3f s (final fdatasync of the active segment, index files)\n", close_s);
  }
  std::filesystem::remove_all(opt.dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot remove %s: %s\n", opt.dir.c_str(), ec.message().c_str());
    status = exit_failure;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{"Appends fixed-size records to a fresh one-partition log and reads them back; prints MB/s.",
               "log_append_bench"};
  app.add_option("--dir", opt.dir, "New or empty directory for the log; deleted at the end")->required();
  app.add_option("--bytes", opt.bytes, "Payload volume: records = bytes / record-size")->capture_default_str();
  app.add_option("--record-size", opt.record_size, "Value bytes per record")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  app.add_option("--mode", opt.mode, "Flush policy of the topic")
      ->check(CLI::IsMember({"os", "always"}))
      ->capture_default_str();
  app.add_option("--appenders", opt.appenders, "Appender threads")->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--in-flight", opt.in_flight, "Appends each thread keeps outstanding (1 = wait for each ack)")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("--segment-bytes", opt.segment_bytes, "segment.bytes of the topic (rolls seal and fsync a segment)")
      ->check(CLI::Range(std::int64_t{1} << 20, std::int64_t{2147483647}))  // Kafka: an int32
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : exit_usage;
  }
  spdlog::set_level(spdlog::level::warn);
  return run(opt);
}
