#include "messaging/embedded_sender.h"

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include <future>

#include "common/murmur2.h"
#include "log/record_batch.h"
#include "net/io_pool.h"

namespace tributary::messaging {
namespace {

class EmbeddedSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tributary-messaging-XXXXXX";
    dir_ = mkdtemp(tmpl);
    log_ = std::move(log::log_manager::open({.dir = dir_}).value());
  }
  void TearDown() override {
    (void)log_->close();
    std::filesystem::remove_all(dir_);
  }

  topic_provider provider(int partitions) {
    return [this, partitions](const std::string& name, std::string& why) -> std::shared_ptr<log::topic> {
      if (auto t = log_->find_topic(name)) return t;
      log::topic_config c;
      c.partitions = partitions;
      auto created = log_->create_topic(name, c);
      if (!created) {
        why = created.error().message;
        return nullptr;
      }
      return *created;
    };
  }

  send_result send(embedded_sender& s, outgoing_record r) {
    std::promise<send_result> p;
    s.send(std::move(r), [&p](send_result res) { p.set_value(std::move(res)); });
    return p.get_future().get();
  }

  std::vector<log::record> read_all(const std::string& topic, int partition) {
    auto p = log_->find_partition(topic, partition);
    auto r = p->read(0, 1 << 20);
    std::vector<log::record> out;
    std::string_view bytes = r->bytes;
    while (!bytes.empty()) {
      auto header = log::parse_batch_header(log::as_bytes(bytes));
      const auto size = static_cast<std::size_t>(header->batch_length) + 12;
      auto records = log::decode_records(log::as_bytes(bytes.substr(0, size)));
      for (auto& rec : *records) out.push_back(rec);
      bytes.remove_prefix(size);
    }
    return out;
  }

  std::size_t batch_count(const std::string& topic, int partition) {
    auto r = log_->find_partition(topic, partition)->read(0, 1 << 20);
    std::size_t n = 0;
    for (std::string_view bytes = r->bytes; !bytes.empty(); ++n) {
      bytes.remove_prefix(static_cast<std::size_t>(log::parse_batch_header(log::as_bytes(bytes))->batch_length) + 12);
    }
    return n;
  }

  std::filesystem::path dir_;
  std::unique_ptr<log::log_manager> log_;
};

TEST_F(EmbeddedSenderTest, ADeletedTopicIsCreatedAgainForTheNextSend) {
  embedded_sender s(provider(1));
  ASSERT_TRUE(send(s, {"hono.telemetry.t", std::string("k"), std::string("before"), {}, 1}).ok());
  ASSERT_TRUE(log_->delete_topic("hono.telemetry.t").ok());
  ASSERT_TRUE(send(s, {"hono.telemetry.t", std::string("k"), std::string("after"), {}, 2}).ok());
  const auto records = read_all("hono.telemetry.t", 0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(*records[0].value, "after");
}

TEST_F(EmbeddedSenderTest, RecordsSentInOneTurnOfAnIoThreadShareABatchPerPartition) {
  embedded_sender s(provider(2));
  net::io_pool pool(1);
  // Two handlers queued before the thread starts, so that both run in its first turn: one sends 50
  // records of keys "a" and "b" (their partitions may coincide), the other 10 more of "a".
  std::promise<void> answered;
  std::atomic<int> ok{0}, count{0};
  auto done = [&](send_result r) {
    if (r) ++ok;
    if (++count == 60) answered.set_value();
  };
  boost::asio::post(pool.at(0), [&] {
    for (int i = 0; i < 50; ++i) s.send({"t", std::string(i % 2 ? "a" : "b"), std::to_string(i), {}, 1}, done);
  });
  boost::asio::post(pool.at(0), [&] {
    for (int i = 50; i < 60; ++i) s.send({"t", std::string("a"), std::to_string(i), {}, 1}, done);
  });
  pool.start();
  ASSERT_EQ(answered.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  pool.stop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(ok.load(), 60);
  const int pa = java_partition("a", 2), pb = java_partition("b", 2);
  std::vector<std::string> a, b;
  for (const auto& r : read_all("t", pa)) (*r.key == "a" ? a : b).push_back(*r.value);
  if (pb != pa) {
    for (const auto& r : read_all("t", pb)) b.push_back(*r.value);
  }
  ASSERT_EQ(a.size(), 35u);
  ASSERT_EQ(b.size(), 25u);
  for (std::size_t i = 0; i + 1 < a.size(); ++i) EXPECT_LT(std::stoi(a[i]), std::stoi(a[i + 1]));  // order kept per key
  for (std::size_t i = 0; i + 1 < b.size(); ++i) EXPECT_LT(std::stoi(b[i]), std::stoi(b[i + 1]));
  // Both handlers ran before the thread's flush: one batch per partition, not one per record.
  EXPECT_EQ(batch_count("t", pa) + (pb != pa ? batch_count("t", pb) : 0), pb != pa ? 2u : 1u);
}

TEST_F(EmbeddedSenderTest, KeyedRecordsLandInTheJavaPartitionWithHeaders) {
  embedded_sender s(provider(8));
  outgoing_record r{"hono.telemetry.t", std::string("4711"), std::string("payload"), {{"device_id", "4711"}, {"qos", "1"}}, 1234};
  ASSERT_TRUE(send(s, r).ok());
  const int expected = java_partition("4711", 8);
  auto records = read_all("hono.telemetry.t", expected);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "4711");
  EXPECT_EQ(records[0].value, "payload");
  EXPECT_EQ(records[0].timestamp, 1234);
  ASSERT_EQ(records[0].headers.size(), 2u);
  EXPECT_EQ(records[0].headers[1].key, "qos");
  EXPECT_EQ(records[0].headers[1].value, "1");
}

TEST_F(EmbeddedSenderTest, OrderIsKeptPerKey) {
  embedded_sender s(provider(4));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(send(s, {"t", std::string("dev"), std::to_string(i), {}, 1}).ok());
  }
  auto records = read_all("t", java_partition("dev", 4));
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(records[i].value, std::to_string(i));
}

TEST_F(EmbeddedSenderTest, NullValueAndNoKey) {
  embedded_sender s(provider(1));
  ASSERT_TRUE(send(s, {"t", std::nullopt, std::nullopt, {}, 1}).ok());
  auto records = read_all("t", 0);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(records[0].key);
  EXPECT_FALSE(records[0].value);
}

TEST_F(EmbeddedSenderTest, TopicThatCannotExistIsRejected) {
  embedded_sender s(provider(1));
  auto r = send(s, {"bad topic name!", std::nullopt, std::string("x"), {}, 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, messaging_errc::rejected);
}

TEST_F(EmbeddedSenderTest, ClosedLogIsUnavailable) {
  embedded_sender s(provider(1));
  ASSERT_TRUE(send(s, {"t", std::nullopt, std::string("x"), {}, 1}).ok());
  ASSERT_TRUE(log_->close().ok());
  auto r = send(s, {"t", std::nullopt, std::string("y"), {}, 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, messaging_errc::unavailable);
}

}  // namespace
}  // namespace tributary::messaging
