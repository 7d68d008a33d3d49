#include "net/tcp_listener.h"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "net/tests/test_client.h"

namespace tributary::net {
namespace {

using namespace std::chrono_literals;

// Echoes each line; marks itself idle between lines, as a real protocol session does. A read that
// leaves an unfinished line is acknowledged with "." so tests know the server holds partial input.
asio::awaitable<void> echo_lines(std::shared_ptr<connection> conn) {
  std::string pending;
  char chunk[256];
  for (;;) {
    conn->set_idle(pending.empty());
    if (conn->draining() && pending.empty()) co_return;
    boost::system::error_code ec;
    const std::size_t n = co_await conn->socket().async_read_some(asio::buffer(chunk),
                                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    conn->set_idle(false);  // busy from the moment data arrives: a drain must not close it mid-request
    pending.append(chunk, n);
    if (pending.find('\n') == std::string::npos) {
      co_await asio::async_write(conn->socket(), asio::buffer(".", 1), asio::redirect_error(asio::use_awaitable, ec));
    }
    for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
      const std::string line = pending.substr(0, eol + 1);
      pending.erase(0, eol + 1);
      co_await asio::async_write(conn->socket(), asio::buffer(line), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
    }
  }
}

// A listener on an ephemeral loopback port serving connections with `serve`.
class ListenerTest : public ::testing::Test {
 protected:
  void start(tcp_listener::session serve) {
    auto bound = tcp_listener::bind(pool_, "test", {"127.0.0.1", 0}, std::move(serve));
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    listener_ = std::move(*bound);
    pool_.start();
    listener_->start();
  }
  void TearDown() override {
    if (listener_) {
      listener_->stop_accepting();
      listener_->close_all();
      listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s);
    }
    pool_.stop(std::chrono::steady_clock::now() + 10s);
  }
  bool wait_for_count(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (listener_->connection_count() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  io_pool pool_{2};
  std::unique_ptr<tcp_listener> listener_;
};

class TcpListener : public ListenerTest {
 protected:
  void SetUp() override { start(echo_lines); }
};

TEST_F(TcpListener, BindsAnEphemeralPortAndServes) {
  EXPECT_NE(listener_->local_address().port, 0);
  testing::test_client client(listener_->local_address());
  client.send("hello\n");
  EXPECT_EQ(client.read_until("\n"), "hello\n");
  EXPECT_TRUE(wait_for_count(1));
}

TEST_F(TcpListener, TakenPortFailsWithTheAddressAndReason) {
  io_pool other(1);
  auto second = tcp_listener::bind(other, "second", listener_->local_address(), echo_lines);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, net_errc::bind_failed);
  EXPECT_NE(second.error().message.find(listener_->local_address().to_string()), std::string::npos);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
}

TEST_F(TcpListener, HostMustBeAnAddress) {
  io_pool other(1);
  auto r = tcp_listener::bind(other, "x", {"not-an-ip", 0}, echo_lines);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, net_errc::resolve_failed);
}

TEST_F(TcpListener, DrainClosesIdleConnectionsAndLetsBusyOnesFinish) {
  testing::test_client idle(listener_->local_address());
  testing::test_client busy(listener_->local_address());
  idle.send("a\n");
  ASSERT_EQ(idle.read_until("\n"), "a\n");
  busy.send("half a li");  // a request in progress: not idle
  ASSERT_EQ(busy.read_until("."), ".");

  listener_->stop_accepting();
  listener_->drain();
  EXPECT_TRUE(idle.closed_by_peer());
  ASSERT_TRUE(wait_for_count(1));

  busy.send("ne\n");  // the busy one completes its request, then is closed
  EXPECT_EQ(busy.read_until("\n"), "half a line\n");
  // (the "." for the partial read was consumed above)
  EXPECT_TRUE(busy.closed_by_peer());
  EXPECT_TRUE(listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s));
}

TEST_F(TcpListener, CloseAllEndsEveryConnection) {
  testing::test_client busy(listener_->local_address());
  busy.send("never finished");
  ASSERT_EQ(busy.read_until("."), ".");
  listener_->close_all();
  EXPECT_TRUE(busy.closed_by_peer());
  EXPECT_TRUE(listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s));
}

TEST_F(TcpListener, StoppedListenerRefusesNewConnections) {
  listener_->stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool refused = false;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    try {
      testing::test_client c(listener_->local_address());
      std::this_thread::sleep_for(5ms);
    } catch (const boost::system::system_error&) {
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
}

// A session that hands closing over and leaves its coroutine at once, as a parked MQTT session
// does: a callback waits for the next line, answers it with "parked:" and closes the connection.
asio::awaitable<void> park_and_answer_once(std::shared_ptr<connection> conn) {
  conn->hand_over_closing();
  conn->set_idle(true);
  conn->socket().async_wait(tcp_socket::wait_read, [conn](const boost::system::error_code& ec) {
    if (ec) return;  // closed by a drain or close_all: nothing more to do
    char chunk[256];
    boost::system::error_code io;
    const std::size_t n = conn->socket().read_some(asio::buffer(chunk), io);
    const std::string answer = "parked:" + std::string(chunk, n);
    asio::write(conn->socket(), asio::buffer(answer), io);
    conn->close();
  });
  co_return;
}

asio::awaitable<void> throw_at_once(std::shared_ptr<connection>) {
  throw std::runtime_error("session failed");
  co_return;
}

using CustomSession = ListenerTest;

TEST_F(CustomSession, AConnectionHandedOverOutlivesItsCoroutineAndIsListedUntilClosed) {
  start(park_and_answer_once);
  testing::test_client client(listener_->local_address());
  ASSERT_TRUE(wait_for_count(1));
  // The coroutine ends at once; were the connection closed with it, no answer would come.
  client.send("hello\n");
  EXPECT_EQ(client.read_until("\n"), "parked:hello\n");
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s));
}

TEST_F(CustomSession, ADrainClosesAHandedOverIdleConnection) {
  start(park_and_answer_once);
  testing::test_client client(listener_->local_address());
  ASSERT_TRUE(wait_for_count(1));
  listener_->stop_accepting();
  listener_->drain();
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s));
}

TEST_F(CustomSession, ASessionThatThrowsIsClosedAndUnlisted) {
  start(throw_at_once);
  testing::test_client client(listener_->local_address());
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s));
  EXPECT_EQ(listener_->connection_count(), 0u);
}

}  // namespace
}  // namespace tributary::net
