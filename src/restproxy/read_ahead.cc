#include "restproxy/read_ahead.h"

#include "kafka/broker/async_log.h"

namespace tributary::restproxy {

namespace asio = boost::asio;

read_ahead_budget::lease& read_ahead_budget::lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    release();
    budget_ = other.budget_;
    bytes_ = other.bytes_;
    other.budget_ = nullptr;
  }
  return *this;
}

void read_ahead_budget::lease::release() {
  if (budget_) budget_->used_ -= bytes_;
  budget_ = nullptr;
  bytes_ = 0;
}

std::optional<read_ahead_budget::lease> read_ahead_budget::try_take(std::size_t bytes) {
  auto used = used_.load();
  do {
    if (bytes > limit_ || used > limit_ - bytes) return std::nullopt;
  } while (!used_.compare_exchange_weak(used, used + bytes));
  return lease(this, bytes);
}

void read_ahead_slot::fulfil(result response) {
  std::function<void(result)> waiter;
  {
    std::lock_guard lock(mutex_);
    if (filled_) return;
    filled_ = true;
    if (!waiter_) {
      value_ = std::move(response);
      return;
    }
    waiter = std::move(waiter_);
  }
  waiter(std::move(response));
}

asio::awaitable<read_ahead_slot::result> read_ahead_slot::take() {
  return kafka::broker::async_call<result>([this](std::function<void(result)> resume) {
    std::unique_lock lock(mutex_);
    if (!filled_) {
      waiter_ = std::move(resume);
      return;
    }
    auto value = std::move(value_);
    lock.unlock();
    resume(std::move(value));
  });
}

}  // namespace tributary::restproxy
