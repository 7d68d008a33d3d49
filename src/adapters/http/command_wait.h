// command_wait: the hono-ttd long poll of the HTTP adapter (spec/hono.md §2.5). A request with an
// effective ttd opens a wait, which registers a command consumer for its device (or, for a gateway's
// POST, for every device behind it) before the upload is stored; it then waits up to the ttd for
// one command. A newer request of the same (tenant, device) ends an older one's wait at once (it
// answers 202). Waits live on their request's executor; the table of open waits is thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "commands/consumer_directory.h"

namespace tributary::adapters::http {

struct delivered_command {
  std::shared_ptr<const commands::command> command;
  std::string target_device;  // differs from the request's device when a gateway gets it for another
};

class command_waits {
 public:
  explicit command_waits(commands::consumer_directory& directory) : directory_(directory) {}

  class wait;
  // Registers the consumer. `scope` gateway_devices: a POST (the device itself, and any device
  // behind it when it is a gateway); device: a PUT for one device (`gateway` = who asks).
  std::shared_ptr<wait> open(boost::asio::any_io_executor executor, const std::string& tenant, const std::string& device,
                             commands::subscription_scope scope, std::optional<std::string> gateway);
  // Waits up to `ttd` (or until a newer request of the device takes over), then unregisters.
  boost::asio::awaitable<std::optional<delivered_command>> take(std::shared_ptr<wait> w, std::chrono::seconds ttd);
  // Unregisters without waiting (the upload failed).
  void close(const std::shared_ptr<wait>& w);

  commands::consumer_directory& directory() { return directory_; }

 private:
  void forget(const std::shared_ptr<wait>& w);

  commands::consumer_directory& directory_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::weak_ptr<wait>> open_;  // (tenant, device) -> newest wait
};

}  // namespace tributary::adapters::http
