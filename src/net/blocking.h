// blocking: runs a blocking function (SQLite, bcrypt, fsync) on a thread pool and resumes the
// awaiting coroutine on its own executor with the function's result, so that no I/O thread ever
// blocks (ARCHITECTURE.md §4). The pool must outlive every awaiting coroutine.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace tributary::net {

namespace asio = boost::asio;

// A plain function returning the awaitable of async_initiate, not a coroutine (GCC 12 mishandles
// non-trivial temporaries passed into a coroutine inside a co_await expression).
template <typename F>
asio::awaitable<std::invoke_result_t<F&>> offload(asio::thread_pool& pool, F f) {
  using T = std::invoke_result_t<F&>;
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [&pool, f = std::move(f)](auto handler) mutable {
        auto executor = asio::get_associated_executor(handler);
        asio::post(pool, [f = std::move(f), handler = std::move(handler), executor]() mutable {
          T value = f();
          asio::post(executor, [handler = std::move(handler), value = std::move(value)]() mutable {
            std::move(handler)(std::move(value));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace tributary::net
