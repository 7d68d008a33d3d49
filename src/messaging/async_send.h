// async_send: downstream_sender::send as an Asio awaitable; the coroutine resumes on its own
// executor with the result, whichever thread stored the record.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "messaging/downstream.h"

namespace tributary::messaging {

// A plain function returning the awaitable, not a coroutine (GCC 12 and temporaries in co_await).
inline boost::asio::awaitable<send_result> async_send(downstream_sender& sender, outgoing_record record) {
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(send_result)>(
      [&sender, record = std::move(record)](auto handler) mutable {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        sender.send(std::move(record), [executor, shared](send_result r) {
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      asio::use_awaitable);
}

}  // namespace tributary::messaging
