#include "adapters/http/command_wait.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tributary::adapters::http {

namespace asio = boost::asio;

class command_waits::wait {
 public:
  explicit wait(asio::any_io_executor executor) : executor_(executor), timer_(executor) {}

  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  bool finished_ = false;    // the request answers now: no command is taken any more
  bool superseded_ = false;  // a newer request of the device took over
  std::optional<delivered_command> got_;
  std::pair<std::string, std::string> key_;
  commands::registration registration_;

  // Any thread: the wait ends now (a newer request of the device took over).
  void end_soon() {
    asio::post(executor_, [self = self_.lock()] {
      if (!self) return;
      self->superseded_ = true;
      self->timer_.cancel();
    });
  }
  std::weak_ptr<wait> self_;
};

namespace {

// Hands a command to the waiting request, on its executor; refuses when it answers already.
class request_sink final : public commands::command_consumer {
 public:
  explicit request_sink(std::weak_ptr<command_waits::wait> w) : wait_(std::move(w)) {}

  void deliver(std::shared_ptr<const commands::command> c, std::string target,
               std::function<void(commands::delivery_result)> done) override {
    auto w = wait_.lock();
    if (!w) return done(fail(commands::delivery_error{commands::delivery_errc::unavailable, 503, ""}));
    auto executor = w->executor_;
    asio::post(executor, [w = std::move(w), c = std::move(c), target = std::move(target), done = std::move(done)] {
      if (w->finished_ || w->got_) return done(fail(commands::delivery_error{commands::delivery_errc::unavailable, 503, ""}));
      w->got_ = delivered_command{c, target};
      w->timer_.cancel();
      done({});  // it goes out in this request's response
    });
  }

 private:
  std::weak_ptr<command_waits::wait> wait_;
};

}  // namespace

std::shared_ptr<command_waits::wait> command_waits::open(asio::any_io_executor executor, const std::string& tenant,
                                                         const std::string& device, commands::subscription_scope scope,
                                                         std::optional<std::string> gateway) {
  auto w = std::make_shared<wait>(executor);
  w->self_ = w;
  w->key_ = {tenant, device};
  std::shared_ptr<wait> older;
  {
    std::lock_guard lock(mutex_);
    auto& slot = open_[w->key_];
    older = slot.lock();
    slot = w;
  }
  if (older) older->end_soon();  // spec/hono.md §2.5: the later request gets the command
  w->registration_ = directory_.add(tenant, device, scope, std::move(gateway), std::make_shared<request_sink>(w));
  return w;
}

asio::awaitable<std::optional<delivered_command>> command_waits::take(std::shared_ptr<wait> w, std::chrono::seconds ttd) {
  if (!w->got_ && !w->superseded_) {
    w->timer_.expires_after(ttd);
    boost::system::error_code ec;
    co_await w->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  w->finished_ = true;
  forget(w);
  co_return std::move(w->got_);
}

void command_waits::close(const std::shared_ptr<wait>& w) {
  w->finished_ = true;
  forget(w);
}

void command_waits::forget(const std::shared_ptr<wait>& w) {
  directory_.remove(w->registration_);
  std::lock_guard lock(mutex_);
  if (const auto it = open_.find(w->key_); it != open_.end() && it->second.lock() == w) open_.erase(it);
}

}  // namespace tributary::adapters::http
