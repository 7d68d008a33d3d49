#include "net/connection.h"

#include "net/parking_lot.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include <array>

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


// park(): the wait for the next bytes, in the io_context's parking lot when nothing else is pending.
class ConnectionPark : public ConnectionDeadline {
 protected:
  void park(bool socket_busy = false) {
    auto record = [](void* box, const boost::system::error_code& ec) {
      *static_cast<std::optional<boost::system::error_code>*>(box) = ec;
    };
    conn_->park(woken_, record, socket_busy);
  }
  std::size_t in_lot() { return parking_lot::of(io_.get_executor()).size(); }
  bool woken() const { return woken_->has_value(); }
  // The peer's next read: true when it saw the end of the stream.
  bool peer_sees_eof() {
    char byte;
    boost::system::error_code ec;
    peer_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof;
  }

  // Where the callback writes what it was woken with.
  std::shared_ptr<std::optional<boost::system::error_code>> woken_ =
      std::make_shared<std::optional<boost::system::error_code>>();
};

TEST_F(ConnectionPark, WaitsInTheLotWithoutAsioAndWakesWhenBytesArrive) {
  park();
  EXPECT_TRUE(conn_->parked());
  EXPECT_FALSE(conn_->socket().is_open());  // asio holds nothing for it
  EXPECT_EQ(in_lot(), 1u);
  run_for(50ms);
  EXPECT_FALSE(woken());
  asio::write(peer_, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_FALSE(**woken_);
  EXPECT_FALSE(conn_->parked());
  EXPECT_EQ(in_lot(), 0u);
  // The same connection as before, with the byte waiting to be read.
  ASSERT_TRUE(conn_->socket().is_open());
  char byte = 0;
  EXPECT_EQ(asio::read(conn_->socket(), asio::buffer(&byte, 1)), 1u);
  EXPECT_EQ(byte, 'x');
}

TEST_F(ConnectionPark, ThePeersHangUpWakesIt) {
  park();
  peer_.close();
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_FALSE(**woken_);
  char byte;
  boost::system::error_code ec;
  conn_->socket().read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_F(ConnectionPark, CloseWhileParkedWakesItAbortedAndClosesTheDescriptor) {
  park();
  conn_->close();
  EXPECT_EQ(in_lot(), 0u);
  EXPECT_FALSE(woken());  // posted, never inline
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_EQ(**woken_, asio::error::operation_aborted);
  EXPECT_TRUE(peer_sees_eof());
}

TEST_F(ConnectionPark, ItsDeadlineStillCloses) {
  const auto start = clock::now();
  conn_->expires_after(50ms);
  park();
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_GE(clock::now() - start, 50ms);
  EXPECT_EQ(**woken_, asio::error::operation_aborted);
  EXPECT_TRUE(peer_sees_eof());
  EXPECT_EQ(in_lot(), 0u);
}

TEST_F(ConnectionPark, ALaterDeadlineIsKeptAfterAWake) {
  conn_->expires_after(10min);
  park();
  asio::write(peer_, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woken(); }));
  run_for(300ms);
  EXPECT_TRUE(conn_->socket().is_open());
  conn_->expires_after(30ms);  // earlier than the one re-armed on leaving the lot
  EXPECT_TRUE(run_until([&] { return !conn_->socket().is_open(); }));
}

TEST_F(ConnectionPark, HeldForAWriteThenSettledBackIntoTheLot) {
  park();
  conn_->hold_for_io();
  EXPECT_TRUE(conn_->parked());  // still waiting, now in asio
  EXPECT_EQ(in_lot(), 0u);
  ASSERT_TRUE(conn_->socket().is_open());
  bool written = false;
  asio::async_write(conn_->socket(), asio::buffer("ping", 4), [&](const boost::system::error_code& ec, std::size_t) {
    EXPECT_FALSE(ec);
    written = true;
  });
  ASSERT_TRUE(run_until([&] { return written; }));
  EXPECT_FALSE(woken());
  conn_->settle();
  EXPECT_EQ(in_lot(), 1u);
  char got[4];
  EXPECT_EQ(asio::read(peer_, asio::buffer(got, 4)), 4u);
  EXPECT_EQ(std::string(got, 4), "ping");
  asio::write(peer_, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_FALSE(**woken_);
}

// write_now(): a command for a parked device goes out without the descriptor leaving the lot.
TEST_F(ConnectionPark, WriteNowSendsFromTheLotAndLeavesItParked) {
  park();
  EXPECT_EQ(conn_->write_now(asio::buffer("ping", 4)), 4u);
  EXPECT_TRUE(conn_->parked());
  EXPECT_EQ(in_lot(), 1u);
  char got[4];
  EXPECT_EQ(asio::read(peer_, asio::buffer(got, 4)), 4u);
  EXPECT_EQ(std::string(got, 4), "ping");
  EXPECT_FALSE(woken());
  asio::write(peer_, asio::buffer("x", 1));  // the park's wait still works
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_FALSE(**woken_);
}

TEST_F(ConnectionPark, WriteNowTakesWhatTheSocketTakesAndNothingOnceClosed) {
  EXPECT_EQ(conn_->write_now(asio::buffer("pong", 4)), 4u);  // not parked: the socket's descriptor
  char got[4];
  EXPECT_EQ(asio::read(peer_, asio::buffer(got, 4)), 4u);
  EXPECT_EQ(std::string(got, 4), "pong");
  // More than the socket buffers hold while the peer reads nothing: a part, then nothing.
  const std::string big(64 << 20, 'b');
  const auto first = conn_->write_now(asio::buffer(big));
  EXPECT_GT(first, 0u);
  EXPECT_LT(first, big.size());
  EXPECT_EQ(conn_->write_now(asio::buffer(big)), 0u);
  conn_->close();
  EXPECT_EQ(conn_->write_now(asio::buffer("late", 4)), 0u);
}

TEST_F(ConnectionPark, WriteNowGathersBuffersIntoOneSend) {
  const std::array<asio::const_buffer, 2> parts{asio::buffer("size", 4), asio::buffer("body", 4)};
  EXPECT_EQ(conn_->write_now(parts), 8u);
  char got[8];
  EXPECT_EQ(asio::read(peer_, asio::buffer(got, 8)), 8u);
  EXPECT_EQ(std::string(got, 8), "sizebody");
  const std::array<asio::const_buffer, 9> too_many{};
  EXPECT_EQ(conn_->write_now(too_many), 0u);
}

TEST_F(ConnectionPark, ABusySocketWaitsInAsioUntilSettled) {
  park(true);
  EXPECT_TRUE(conn_->socket().is_open());
  EXPECT_EQ(in_lot(), 0u);
  conn_->settle();
  EXPECT_EQ(in_lot(), 1u);
  run_for(50ms);
  EXPECT_FALSE(woken());  // the asio wait aborted by the move is not a wake
  asio::write(peer_, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woken(); }));
  EXPECT_FALSE(**woken_);
}

TEST(ConnectionParkLifetime, AParkedConnectionKeepsItselfAliveUntilItsContextGoes) {
  std::weak_ptr<connection> weak;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket client(io);
    client.connect(acceptor.local_endpoint());
    auto conn = std::make_shared<connection>(acceptor.accept(io));
    weak = conn;
    // As a session does: the connection keeps an owner that holds the connection (here, itself).
    conn->park(conn, [](void*, const boost::system::error_code&) {}, false);
    conn.reset();
    EXPECT_FALSE(weak.expired());
    io.run_for(20ms);
    EXPECT_FALSE(weak.expired());
  }  // the io_context's shutdown drops the parked callback, and with it the connection
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace tributary::net
