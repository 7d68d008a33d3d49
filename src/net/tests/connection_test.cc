#include "net/connection.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <functional>

namespace tributary::net {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

// A connection over a loopback TCP pair, driven by one io_context on the test's thread.
class ConnectionDeadline : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    peer_.connect(acceptor.local_endpoint());
    conn_ = std::make_shared<connection>(acceptor.accept(io_));
  }

  // Runs the loop until done() or the (generous) deadline; returns done().
  bool run_until(const std::function<bool()>& done, clock::duration limit = 20s) {
    const auto end = clock::now() + limit;
    while (!done() && clock::now() < end) {
      io_.restart();
      io_.run_for(10ms);
    }
    return done();
  }
  // Runs the loop for a while with nothing expected to happen.
  void run_for(clock::duration d) {
    io_.restart();
    io_.run_for(d);
  }
  bool closed() const { return !conn_->socket().is_open(); }

  asio::io_context io_;
  asio::ip::tcp::socket peer_{io_};
  std::shared_ptr<connection> conn_;
};

TEST_F(ConnectionDeadline, ClosesWhenDueAndNotBefore) {
  const auto start = clock::now();
  conn_->expires_after(50ms);
  ASSERT_TRUE(run_until([&] { return closed(); }));
  EXPECT_GE(clock::now() - start, 50ms);
}

TEST_F(ConnectionDeadline, MovingTheDeadlineLaterKeepsTheConnectionOpen) {
  conn_->expires_after(20ms);
  conn_->expires_after(10min);  // the timer, armed for 20 ms, fires early and re-arms itself
  run_for(300ms);
  EXPECT_FALSE(closed());
}

TEST_F(ConnectionDeadline, AnEarlierDeadlineReArmsTheTimer) {
  conn_->expires_after(10min);
  conn_->expires_after(30ms);
  EXPECT_TRUE(run_until([&] { return closed(); }));
}

TEST_F(ConnectionDeadline, ExpiresNeverKeepsTheConnectionOpen) {
  conn_->expires_after(20ms);
  conn_->expires_never();
  run_for(300ms);
  EXPECT_FALSE(closed());
  conn_->expires_after(20ms);  // a deadline set again after expires_never still applies
  EXPECT_TRUE(run_until([&] { return closed(); }));
}

TEST_F(ConnectionDeadline, CancelActionAbortsTheReadAndKeepsTheSocket) {
  char byte;
  boost::system::error_code read_error;
  bool read_done = false;
  conn_->socket().async_read_some(asio::buffer(&byte, 1), [&](const boost::system::error_code& ec, std::size_t) {
    read_error = ec;
    read_done = true;
  });
  conn_->expires_after(30ms, connection::on_expiry::cancel);
  ASSERT_TRUE(run_until([&] { return read_done; }));
  EXPECT_EQ(read_error, asio::error::operation_aborted);
  EXPECT_TRUE(conn_->timed_out());
  EXPECT_FALSE(closed());
  conn_->expires_after(10min, connection::on_expiry::cancel);  // a new deadline clears timed_out()
  EXPECT_FALSE(conn_->timed_out());
}

TEST_F(ConnectionDeadline, DestroyedWithAPendingTimerIsSafe) {
  conn_->expires_after(20ms);
  conn_.reset();
  run_for(100ms);  // the aborted wait must not touch the destroyed connection (ASan would tell)
  SUCCEED();
}

}  // namespace
}  // namespace tributary::net
