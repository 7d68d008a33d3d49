// async_log: the embedded log's callback API as Asio awaitables for broker coroutines. An append
// completes on the coroutine's executor, whichever thread the log acknowledged on; a wait for data
// ends when any of the partitions gets data past the given offsets, or at the deadline.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "log/partition.h"

namespace tributary::kafka::broker {

namespace asio = boost::asio;

// These are plain functions returning the awaitable of async_initiate, not coroutines: GCC 12
// mishandles non-trivial temporaries passed into a coroutine within a co_await expression.

// Appends a client batch (as Produce does) and resumes with the log's answer.
inline asio::awaitable<log::log_result<log::append_info>> async_append(log::partition& p, std::span<std::uint8_t> batch) {
  using result_t = log::log_result<log::append_info>;
  return asio::async_initiate<decltype(asio::use_awaitable), void(result_t)>(
      [&p, batch](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        p.append_batch(batch, [executor, shared](result_t r) {
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      asio::use_awaitable);
}

struct wait_target {
  std::shared_ptr<log::partition> partition;
  std::int64_t offset;  // wake when the high watermark passes it
};

// Returns when one target has data beyond its offset or `timeout` passes, whichever is first.
inline asio::awaitable<void> wait_for_any(std::vector<wait_target> targets, std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, timeout);
  auto woken = std::make_shared<std::atomic<bool>>(false);
  std::vector<log::partition::waiter_id> ids;
  ids.reserve(targets.size());
  for (const auto& t : targets) {
    ids.push_back(t.partition->wait_for_data(t.offset, [executor, timer, woken] {
      if (woken->exchange(true)) return;
      asio::post(executor, [timer] { timer->cancel(); });
    }));
  }
  boost::system::error_code ec;
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i].partition->cancel_wait(ids[i]);
}

}  // namespace tributary::kafka::broker

namespace tributary::kafka::broker {

// Runs `start(callback)` and resumes, on the coroutine's executor, with the value the callback gets
// (from whichever thread calls it, possibly before start returns).
template <typename T, typename Start>
asio::awaitable<T> async_call(Start start) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [start = std::move(start)](auto handler) mutable {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([executor, shared](T value) {
          asio::post(executor, [shared, value = std::move(value)]() mutable { (*shared)(std::move(value)); });
        });
      },
      asio::use_awaitable);
}

}  // namespace tributary::kafka::broker
