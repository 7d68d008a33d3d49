#include "restproxy/read_ahead.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/post.hpp>

#include <thread>

namespace tributary::restproxy {
namespace {

namespace asio = boost::asio;

TEST(ReadAheadBudget, LeasesAreTakenUpToTheLimitAndGivenBack) {
  read_ahead_budget budget(100);
  auto a = budget.try_take(60);
  ASSERT_TRUE(a);
  EXPECT_EQ(budget.in_use(), 60u);
  EXPECT_FALSE(budget.has_room(41));
  EXPECT_TRUE(budget.has_room(40));
  EXPECT_FALSE(budget.try_take(41));
  {
    auto b = budget.try_take(40);
    ASSERT_TRUE(b);
    EXPECT_EQ(budget.in_use(), 100u);
    EXPECT_FALSE(budget.try_take(1));
  }
  EXPECT_EQ(budget.in_use(), 60u);
  read_ahead_budget::lease moved = std::move(*a);
  EXPECT_EQ(budget.in_use(), 60u);  // moving does not give back twice
  a.reset();
  EXPECT_EQ(budget.in_use(), 60u);
  moved = read_ahead_budget::lease();
  EXPECT_EQ(budget.in_use(), 0u);
  EXPECT_FALSE(budget.try_take(101));
  EXPECT_FALSE(budget.has_room(static_cast<std::size_t>(-1)));
}

TEST(ReadAheadBudget, ZeroMeansNever) {
  read_ahead_budget budget(0);
  EXPECT_FALSE(budget.try_take(1));
  EXPECT_FALSE(budget.has_room(1));
}

read_ahead_response response_of(std::string body) {
  read_ahead_response r;
  r.max_bytes = 10;
  r.bytes = body.size();
  r.body = std::move(body);
  return r;
}

// take() on an io_context, the slot filled by `fill` (which may run anywhere); the value taken.
std::optional<read_ahead_response> take_from(read_ahead_slot& slot, const std::function<void()>& fill) {
  asio::io_context io;
  std::optional<std::optional<read_ahead_response>> got;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto taking = slot.take();
    got = co_await std::move(taking);
  }, asio::detached);
  fill();
  io.run();
  EXPECT_TRUE(got.has_value()) << "take() never resumed";
  return got ? std::move(*got) : std::nullopt;
}

TEST(ReadAheadSlot, TakeAfterFulfilGetsTheValueAtOnce) {
  read_ahead_slot slot;
  slot.fulfil(response_of("ready"));
  auto got = take_from(slot, [] {});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "ready");
}

TEST(ReadAheadSlot, TakeBeforeFulfilWaitsForAnotherThread) {
  read_ahead_slot slot;
  asio::thread_pool pool(1);
  auto got = take_from(slot, [&] {
    asio::post(pool, [&] {
      std::this_thread::yield();
      slot.fulfil(response_of("later"));
    });
  });
  pool.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "later");
}

TEST(ReadAheadSlot, NothingReadIsNullAndOnlyTheFirstFulfilCounts) {
  read_ahead_slot slot;
  slot.fulfil(std::nullopt);
  slot.fulfil(response_of("too late"));
  EXPECT_FALSE(take_from(slot, [] {}));
}

}  // namespace
}  // namespace tributary::restproxy
