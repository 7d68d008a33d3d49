// router: delivers the records of `hono.command.<tenant>` (spec/hono.md §1.7) in embedded mode. It
// reads every partition of those topics straight from the log as consumer group `group`, whose
// committed offsets (in the broker's offset_store, so Kafka tools see them) survive restarts. Each
// command is checked (parse_command), its tenant looked up, its consumer found in the
// consumer_directory and handed over, in log order per partition (so per device); failures become
// error responses on `hono.command_response.<tenant>`. A partition's offset is committed up to the
// first command not yet finished, every commit_interval (each commit is an fsync of
// __consumer_offsets) and when the router stops. Owns nothing of the adapters, which only register
// consumers.
// Threads: new commands are routed on the thread that appended them (a Kafka connection's I/O
// thread, usually) when the router is free and the registry's answers are cached, and a delivery is
// finished on the thread that reports it: no wake-up of another thread between a command's append
// and its delivery, none per command at all in the steady state (one timer serves every delivery's
// timeout). The router's own thread does everything that may block (registry lookups that miss the
// cache), its timers, and whatever another thread found busy. One mutex guards the router's state;
// other threads only ever try it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "commands/consumer_directory.h"
#include "kafka/broker/offset_store.h"
#include "log/log_manager.h"
#include "messaging/downstream.h"
#include "registry/lookups.h"

namespace tributary::commands {

struct router_options {
  std::string group = "cmd-router-group";
  std::chrono::milliseconds processing_timeout{8000};  // Hono's router: 503 when delivery takes longer
  std::chrono::milliseconds topic_scan_interval{1000};  // how soon a new tenant's command topic is read
  std::size_t max_in_flight_per_partition = 256;        // reading a partition pauses beyond this
  std::chrono::milliseconds commit_interval{100};       // how often finished commands' offsets are committed
};

class router {
 public:
  router(log::log_manager& log, kafka::broker::offset_store& offsets, registry::lookups& lookups,
         consumer_directory& consumers, messaging::downstream_sender& responses, router_options options = {});
  // Stops: commits what is finished; commands in flight stay uncommitted and are read again after a
  // restart.
  ~router();
  router(const router&) = delete;
  router& operator=(const router&) = delete;

  void start();

 private:
  struct partition_state;
  struct in_flight;
  struct guard;  // lets callbacks from other threads reach the router while it lives

  void scan_topics();
  // Handles the records from p->next on. `may_block`: on the router's thread, where registry
  // lookups that miss the cache may wait for the store; elsewhere such a record is left to it.
  void read(const std::shared_ptr<partition_state>& p, bool may_block);
  // read(p, true) on the router's thread, later.
  void read_on_router_thread(const std::shared_ptr<partition_state>& p);
  void wait_for_data(const std::shared_ptr<partition_state>& p);
  // Routes one command; false (and nothing done) when that needs a lookup that may block and
  // `may_block` is false.
  bool handle(const std::shared_ptr<partition_state>& p, std::int64_t offset, const log::record& record, bool may_block);
  void finish(const std::shared_ptr<partition_state>& p, const std::shared_ptr<in_flight>& f,
              std::optional<std::pair<int, std::string>> failure);
  // One timer for every delivery's processing_timeout, armed for the earliest deadline.
  void arm_deadline(std::chrono::steady_clock::time_point at);
  // Answers the deliveries past their deadline with 503; arms the timer for the next deadline.
  void expire_deliveries();
  void respond(const command& c, int status, const std::string& message);
  // Notes `offset` (the first not finished, or one past the last read) as the group's position, to
  // be committed by the next commit_due().
  void commit(const std::shared_ptr<partition_state>& p, std::int64_t offset);
  // Commits every partition's noted position that moved since its last commit.
  void commit_due();

  log::log_manager& log_;
  kafka::broker::offset_store& offsets_;
  registry::lookups& lookups_;
  consumer_directory& consumers_;
  messaging::downstream_sender& responses_;
  router_options options_;

  // The state below. Recursive: a partition may notify from inside read(), a consumer finish from
  // inside deliver(), on the thread that holds it.
  std::recursive_mutex mutex_;
  bool reading_ = false;  // read() is on the stack
  boost::asio::io_context io_{1};
  boost::asio::steady_timer scan_timer_{io_};
  boost::asio::steady_timer commit_timer_{io_};
  boost::asio::steady_timer deadline_timer_{io_};
  bool deadline_armed_ = false;
  bool commit_armed_ = false;
  std::shared_ptr<guard> guard_;
  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<partition_state>> partitions_;
  std::thread thread_;
};

}  // namespace tributary::commands
