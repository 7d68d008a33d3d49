#include "cli/consume.h"

#include <ostream>

#include "cli/record_text.h"

namespace tributary::cli {

using namespace std::chrono_literals;
namespace kc = kafka::client;

int run_consume(const kc::connection_options& connection, const consume_options& options, std::ostream& out,
                std::ostream& err, const std::atomic<bool>& stop) {
  auto consumer = kc::consumer::create(connection);
  if (!consumer) {
    err << "tributary consume: " << consumer.error().message << "\n";
    return 1;
  }
  const std::vector<std::string> topics{"hono.telemetry." + options.tenant, "hono.event." + options.tenant};
  const auto from = options.from_beginning ? kc::start_at::beginning : kc::start_at::end;
  if (auto assigned = (*consumer)->assign(topics, from, 10s); !assigned) {
    err << "tributary consume: " << assigned.error().message << "\n";
    return 1;
  }
  err << "ready: consuming " << topics[0] << " and " << topics[1] << " from " << connection.bootstrap
      << (options.from_beginning ? " (from the beginning)" : "") << std::endl;
  std::int64_t received = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    auto next = (*consumer)->poll(200ms);
    if (!next) {
      // Transport errors are reported and retried by librdkafka; only say so.
      err << "tributary consume: " << next.error().message << std::endl;
      continue;
    }
    if (!next->has_value()) continue;
    out << received_message_text(**next) << std::endl;
    if (options.count > 0 && ++received >= options.count) break;
  }
  return 0;
}

}  // namespace tributary::cli
