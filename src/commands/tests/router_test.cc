#include "commands/router.h"

#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "registry/tests/test_support.h"

namespace tributary::commands {
namespace {

using namespace std::chrono_literals;
using registry::testing::json;

// Waits (generously) until `done` holds.
bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// The responses the router writes, as the log would take them.
class recording_sender final : public messaging::downstream_sender {
 public:
  void send(messaging::outgoing_record record, messaging::send_callback done) override {
    {
      std::lock_guard lock(mutex_);
      records_.push_back(std::move(record));
      threads_.push_back(std::this_thread::get_id());
    }
    done({});
  }
  std::vector<messaging::outgoing_record> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }
  // The thread each record was sent from.
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::vector<messaging::outgoing_record> records_;
  std::vector<std::thread::id> threads_;
};

// A device session: records what it gets; completes at once unless told to hold on.
class recording_consumer final : public command_consumer {
 public:
  explicit recording_consumer(bool complete) : complete_(complete) {}
  void deliver(std::shared_ptr<const command> c, std::string target, std::function<void(delivery_result)> done) override {
    std::lock_guard lock(mutex_);
    delivered_.push_back({c->name, target});
    threads_.push_back(std::this_thread::get_id());
    if (complete_) {
      done({});
    } else {
      held_.push_back(std::move(done));
      most_held_ = std::max(most_held_, held_.size());
    }
  }
  std::vector<std::pair<std::string, std::string>> delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }
  // The thread each command was delivered on.
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }
  std::size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  std::size_t most_held() {
    std::lock_guard lock(mutex_);
    return most_held_;
  }
  // Completes the i-th of the held deliveries (in delivery order) only.
  void complete_held(std::size_t i) {
    std::function<void(delivery_result)> done;
    {
      std::lock_guard lock(mutex_);
      done = std::move(held_.at(i));
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i));
    }
    done({});
  }
  void complete_all() {
    std::vector<std::function<void(delivery_result)>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& d : held) d({});
  }
  void fail_all(delivery_error e) {
    std::vector<std::function<void(delivery_result)>> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& d : held) d(fail(e));
  }

 private:
  std::mutex mutex_;
  bool complete_;
  std::vector<std::pair<std::string, std::string>> delivered_;
  std::vector<std::thread::id> threads_;
  std::vector<std::function<void(delivery_result)>> held_;
  std::size_t most_held_ = 0;
};

const std::string* header(const messaging::outgoing_record& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

log::record command_record(const std::string& device, std::optional<std::string> subject, std::optional<std::string> correlation) {
  log::record r;
  r.key = device;
  r.value = "{}";
  r.headers.push_back({"device_id", device});
  if (subject) r.headers.push_back({"subject", *subject});
  if (correlation) {
    r.headers.push_back({"correlation-id", *correlation});
    r.headers.push_back({"response-required", "true"});
  }
  return r;
}

class Router : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("router-test-" + std::to_string(std::random_device{}()));
    open_log();
    auto& m = registry_.management();
    ASSERT_TRUE(m.create_tenant(std::string("t"), json("{}")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("4711"), json("{}")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("gw-1"), json("{}")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("4712"), json(R"({"via": ["gw-1"]})")).ok());
  }
  void TearDown() override {
    router_.reset();
    offsets_.reset();
    if (log_) (void)log_->close();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open_log() {
    log_ = std::move(log::log_manager::open({.dir = dir_}).value());
    offsets_ = std::move(kafka::broker::offset_store::open(*log_).value());
  }
  void start(router_options options = {}) {
    options.topic_scan_interval = 20ms;
    router_ = std::make_unique<router>(*log_, *offsets_, lookups_, consumers_, responses_, options);
    router_->start();
  }
  void append(const std::string& tenant, std::vector<log::record> records) {
    auto topic = log_->find_topic("hono.command." + tenant);
    if (!topic) topic = log_->create_topic("hono.command." + tenant, log::topic_config{}).value();
    std::promise<bool> stored;
    topic->get(0)->append_records(records, [&](log::log_result<log::append_info> r) { stored.set_value(r.ok()); });
    ASSERT_TRUE(stored.get_future().get());
  }
  std::int64_t committed(const std::string& tenant) {
    const auto c = offsets_->fetch("cmd-router-group", "hono.command." + tenant, 0);
    return c ? c->offset : -1;
  }

  std::filesystem::path dir_;
  registry::testing::temp_registry registry_;
  boost::asio::thread_pool pool_{1};
  registry::lookups lookups_{registry_.store(), registry_.events(), pool_, registry::lookup_options{}};
  local_consumer_directory consumers_;
  recording_sender responses_;
  std::unique_ptr<log::log_manager> log_;
  std::unique_ptr<kafka::broker::offset_store> offsets_;
  std::unique_ptr<router> router_;
};

TEST_F(Router, DeliversInLogOrderAndCommitsTheOffsets) {
  auto device = std::make_shared<recording_consumer>(true);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  start();
  append("t", {command_record("4711", "one", std::nullopt), command_record("4711", "two", std::string("c2"))});
  append("t", {command_record("4711", "three", std::string("c3"))});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 3; }));
  EXPECT_EQ(device->delivered(), (std::vector<std::pair<std::string, std::string>>{{"one", "4711"}, {"two", "4711"}, {"three", "4711"}}));
  EXPECT_TRUE(eventually([&] { return committed("t") == 3; }));
  EXPECT_TRUE(responses_.records().empty());
}

// A command whose registry answers are cached is routed by the thread that appended it (here the
// test's: the topic's flush policy is os), without a hop to the router's thread; one that needs
// the store is routed by the router's thread, and the commands behind it wait for it. (The
// appending thread only tries the router's lock: when the router's thread holds it, for a commit
// say, that command goes to the router's thread too. Hence "eventually" below.)
TEST_F(Router, CommandsAreRoutedOnTheAppendingThreadWhenTheRegistryIsCached) {
  auto device = std::make_shared<recording_consumer>(true);
  auto gateway = std::make_shared<recording_consumer>(true);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  consumers_.add("t", "gw-1", subscription_scope::gateway_devices, std::nullopt, gateway);
  start();
  const auto here = std::this_thread::get_id();
  std::vector<std::pair<std::string, std::string>> expected_device, expected_gateway;
  // Appends commands for `device_id` until one is delivered to `consumer` on this thread.
  const auto routed_here = [&](recording_consumer& consumer, const std::string& device_id, auto& expected) {
    for (int i = 0; i < 200; ++i) {
      const std::string name = "warm-" + std::to_string(i);
      append("t", {command_record(device_id, name, std::nullopt)});
      expected.push_back({name, device_id});
      if (!eventually([&] { return consumer.delivered().size() == expected.size(); })) return false;
      if (consumer.threads().back() == here) return true;
    }
    return false;
  };

  append("t", {command_record("4711", "cold", std::nullopt)});  // the tenant is not cached yet
  expected_device.push_back({"cold", "4711"});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 1; }));
  EXPECT_NE(device->threads()[0], here);
  ASSERT_TRUE(routed_here(*device, "4711", expected_device));

  // 4712 behind gw-1: its assertion is not cached; it and the command after it go to the router.
  append("t", {command_record("4712", "via-gateway", std::nullopt), command_record("4711", "after", std::nullopt)});
  expected_gateway.push_back({"via-gateway", "4712"});
  expected_device.push_back({"after", "4711"});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == expected_device.size(); }));
  ASSERT_EQ(gateway->delivered().size(), 1u);
  EXPECT_NE(gateway->threads()[0], here);
  EXPECT_EQ(device->threads().back(), gateway->threads()[0]);  // in log order, behind the lookup
  ASSERT_TRUE(routed_here(*gateway, "4712", expected_gateway));

  EXPECT_EQ(device->delivered(), expected_device);
  EXPECT_EQ(gateway->delivered(), expected_gateway);
  EXPECT_TRUE(responses_.records().empty());
}

TEST_F(Router, NoConsumerIsA503ForRequestResponseCommandsOnly) {
  start();
  append("t", {command_record("4711", "setVolume", std::nullopt), command_record("4711", "setBrightness", std::string("abc"))});
  ASSERT_TRUE(eventually([&] { return committed("t") == 2; }));
  ASSERT_TRUE(eventually([&] { return responses_.records().size() == 1; }));
  const auto r = responses_.records()[0];
  EXPECT_EQ(r.topic, "hono.command_response.t");
  EXPECT_EQ(*header(r, "status"), "503");
  EXPECT_EQ(*header(r, "correlation-id"), "abc");
  EXPECT_EQ(r.value, R"({"error":"no consumer available"})");
}

TEST_F(Router, MalformedCommandsAnsweredWith400OnlyWithACorrelationId) {
  start();
  append("t", {command_record("4711", std::nullopt, std::string("abc")), command_record("4711", std::nullopt, std::nullopt),
               command_record("4711", "x", std::nullopt)});
  ASSERT_TRUE(eventually([&] { return committed("t") == 3; }));
  const auto rs = responses_.records();
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(*header(rs[0], "status"), "400");
  EXPECT_EQ(*header(rs[0], "correlation-id"), "abc");
  EXPECT_EQ(rs[0].value, R"({"error":"malformed command message"})");
}

// The bound holds per command, not per read: ten commands in one batch with room for three.
TEST_F(Router, AtMostMaxInFlightCommandsPerPartitionAreOutstanding) {
  auto device = std::make_shared<recording_consumer>(false);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  router_options options;
  options.max_in_flight_per_partition = 3;
  start(options);
  std::vector<log::record> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(command_record("4711", "c" + std::to_string(i), std::nullopt));
  append("t", batch);
  for (std::size_t delivered = 3; delivered <= 9; delivered += 3) {
    ASSERT_TRUE(eventually([&] { return device->delivered().size() == delivered && device->held() == 3; }))
        << device->delivered().size();
    device->complete_all();
  }
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 10; }));
  device->complete_all();
  EXPECT_TRUE(eventually([&] { return committed("t") == 10; }));
  EXPECT_EQ(device->most_held(), 3u);
  const auto delivered = device->delivered();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(delivered[i].first, "c" + std::to_string(i));  // log order
}

TEST_F(Router, UnknownTenantIs404) {
  start();
  append("ghost", {command_record("4711", "x", std::string("abc"))});
  ASSERT_TRUE(eventually([&] { return responses_.records().size() == 1; }));
  EXPECT_EQ(*header(responses_.records()[0], "status"), "404");
  EXPECT_EQ(responses_.records()[0].topic, "hono.command_response.ghost");
}

TEST_F(Router, GatewayDeliversForADeviceInItsVia) {
  auto gateway = std::make_shared<recording_consumer>(true);
  consumers_.add("t", "gw-1", subscription_scope::gateway_devices, std::nullopt, gateway);
  start();
  append("t", {command_record("4712", "behind", std::string("a")), command_record("4711", "not-via", std::string("b"))});
  ASSERT_TRUE(eventually([&] { return committed("t") == 2; }));
  EXPECT_EQ(gateway->delivered(), (std::vector<std::pair<std::string, std::string>>{{"behind", "4712"}}));
  ASSERT_EQ(responses_.records().size(), 1u);  // 4711 does not have gw-1 in its via
  EXPECT_EQ(*header(responses_.records()[0], "correlation-id"), "b");
  EXPECT_EQ(*header(responses_.records()[0], "status"), "503");
}

TEST_F(Router, DeliveryFailuresAndTimeoutsAreAnswered) {
  auto device = std::make_shared<recording_consumer>(false);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  router_options options;
  options.processing_timeout = 300ms;
  start(options);
  append("t", {command_record("4711", "refused", std::string("r1"))});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 1; }));
  device->fail_all({delivery_errc::rejected, 429, "message limit exceeded"});
  ASSERT_TRUE(eventually([&] { return responses_.records().size() == 1; }));
  EXPECT_EQ(*header(responses_.records()[0], "status"), "429");
  EXPECT_EQ(responses_.records()[0].value, R"({"error":"message limit exceeded"})");
  EXPECT_TRUE(eventually([&] { return committed("t") == 1; }));

  append("t", {command_record("4711", "ignored", std::string("r2"))});  // never completed by the device
  ASSERT_TRUE(eventually([&] { return responses_.records().size() == 2; }));
  EXPECT_EQ(*header(responses_.records()[1], "status"), "503");
  EXPECT_EQ(*header(responses_.records()[1], "correlation-id"), "r2");
  EXPECT_TRUE(eventually([&] { return committed("t") == 2; }));
}

// A delivery is finished on the thread that reports it: its failure response is sent from there
// (when the router's lock is free at that moment; hence the retries).
TEST_F(Router, ADeliveryIsFinishedOnTheThreadThatReportsIt) {
  auto device = std::make_shared<recording_consumer>(false);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  start();
  const auto here = std::this_thread::get_id();
  bool finished_here = false;
  for (std::size_t i = 0; i < 200 && !finished_here; ++i) {
    append("t", {command_record("4711", "refused", "r" + std::to_string(i))});
    ASSERT_TRUE(eventually([&] { return device->held() == 1; }));
    device->fail_all({delivery_errc::rejected, 403, "no"});
    ASSERT_TRUE(eventually([&] { return responses_.records().size() == i + 1; }));
    finished_here = responses_.threads().back() == here;
  }
  EXPECT_TRUE(finished_here);
  for (const auto& r : responses_.records()) EXPECT_EQ(*header(r, "status"), "403");
}

// One timer serves every delivery: each unanswered one gets its 503 at its own deadline, in order,
// and one that finished in time gets none (nor does its offset wait for the timeout).
TEST_F(Router, EveryUnfinishedDeliveryTimesOutAtItsOwnDeadline) {
  auto device = std::make_shared<recording_consumer>(false);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  router_options options;
  options.processing_timeout = 400ms;
  start(options);
  append("t", {command_record("4711", "first", std::string("c1"))});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 1; }));
  const auto first_delivered = std::chrono::steady_clock::now();
  append("t", {command_record("4711", "answered", std::string("c2"))});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 2 && device->held() == 2; }));
  device->complete_held(1);  // "answered", in time
  append("t", {command_record("4711", "third", std::string("c3"))});
  ASSERT_TRUE(eventually([&] { return responses_.records().size() == 2; }));
  const auto all_expired = std::chrono::steady_clock::now();
  const auto rs = responses_.records();
  EXPECT_EQ(*header(rs[0], "correlation-id"), "c1");
  EXPECT_EQ(*header(rs[1], "correlation-id"), "c3");
  for (const auto& r : rs) EXPECT_EQ(*header(r, "status"), "503");
  EXPECT_GE(all_expired - first_delivered, 400ms);  // "third" not before its deadline
  EXPECT_TRUE(eventually([&] { return committed("t") == 3; }));
  EXPECT_EQ(responses_.records().size(), 2u);
}

TEST_F(Router, ARestartResumesAfterTheLastFinishedCommand) {
  auto device = std::make_shared<recording_consumer>(false);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, device);
  router_options options;
  options.processing_timeout = 10min;
  start(options);
  append("t", {command_record("4711", "first", std::nullopt)});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 1; }));
  device->fail_all({delivery_errc::rejected, 400, "done"});  // finished (one-way: no response)
  ASSERT_TRUE(eventually([&] { return committed("t") == 1; }));
  append("t", {command_record("4711", "second", std::nullopt)});
  ASSERT_TRUE(eventually([&] { return device->delivered().size() == 2; }));
  router_.reset();  // "second" still in flight: not committed
  offsets_.reset();  // the whole hub restarts: committed offsets come back from the log
  ASSERT_TRUE(log_->close().ok());
  open_log();

  auto again = std::make_shared<recording_consumer>(true);
  consumers_.add("t", "4711", subscription_scope::device, std::nullopt, again);
  start(options);
  ASSERT_TRUE(eventually([&] { return committed("t") == 2; }));
  EXPECT_EQ(again->delivered(), (std::vector<std::pair<std::string, std::string>>{{"second", "4711"}}));
}

}  // namespace
}  // namespace tributary::commands
