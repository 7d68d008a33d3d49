#include "cli/command.h"

#include <cctype>
#include <istream>
#include <ostream>

#include "cli/record_text.h"
#include "registry/ids.h"

namespace tributary::cli {

using namespace std::chrono_literals;
namespace kc = kafka::client;

kc::record command_record(const std::string& tenant, const std::string& device, const std::string& name,
                          const std::string& payload, const std::string& content_type,
                          const std::optional<std::string>& correlation_id) {
  kc::record r;
  r.topic = "hono.command." + tenant;
  r.key = device;
  if (!payload.empty()) r.value = payload;
  r.headers.push_back({"device_id", device});
  r.headers.push_back({"subject", name});
  if (!content_type.empty()) r.headers.push_back({"content-type", content_type});
  if (correlation_id) {
    r.headers.push_back({"correlation-id", *correlation_id});
    r.headers.push_back({"response-required", "true"});
  }
  return r;
}

namespace {

constexpr auto ack_timeout = 30s;
constexpr std::string_view one_way_prefix = "ow:";

bool is_2xx(const std::string* status) {
  return status && status->size() == 3 && (*status)[0] == '2' && std::isdigit(static_cast<unsigned char>((*status)[1])) &&
         std::isdigit(static_cast<unsigned char>((*status)[2]));
}

class commander {
 public:
  commander(const command_options& o, kc::producer& p, kc::consumer& responses, std::ostream& out, std::ostream& err)
      : o_(o), producer_(p), responses_(responses), out_(out), err_(err) {}

  // Sends one command (name may carry "ow:") and, for request/response, waits for its answer.
  // True when it was sent and, if answered, with a 2xx status.
  bool send(const std::string& entered_name, const std::string& payload, const std::string& content_type) {
    const bool one_way = entered_name.starts_with(one_way_prefix);
    const std::string name = one_way ? entered_name.substr(one_way_prefix.size()) : entered_name;
    std::optional<std::string> correlation;
    if (!one_way) correlation = registry::new_uuid();
    const auto record = command_record(o_.tenant, o_.device, name, payload, content_type, correlation);
    if (auto sent = producer_.send(record, ack_timeout); !sent) {
      err_ << "Command could not be sent: " << sent.error().message << std::endl;
      return false;
    }
    if (one_way) {
      out_ << "Command sent to device" << std::endl;
      return true;
    }
    out_ << "Command sent to device... [waiting for response for max. " << o_.timeout.count() << " seconds]"
         << std::endl;
    return await_response(*correlation);
  }

 private:
  bool await_response(const std::string& correlation) {
    const auto deadline = std::chrono::steady_clock::now() + o_.timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto next = responses_.poll(200ms);
      if (!next) {
        err_ << "Reading responses: " << next.error().message << std::endl;
        continue;
      }
      if (!next->has_value()) continue;
      const kc::record& r = **next;
      const auto* id = r.header_value("correlation-id");
      if (!id || *id != correlation) continue;  // another application's, or an older command's
      out_ << "Received Command response: " << payload_text(r.value) << "\n... with properties: "
           << properties_text(r) << std::endl;
      return is_2xx(r.header_value("status"));
    }
    err_ << "No response received within " << o_.timeout.count() << " seconds" << std::endl;
    return false;
  }

  const command_options& o_;
  kc::producer& producer_;
  kc::consumer& responses_;
  std::ostream& out_;
  std::ostream& err_;
};

// One prompt and its answer; nullopt at the end of the input.
std::optional<std::string> ask(std::istream& in, std::ostream& out, const std::string& prompt) {
  out << ">>>>>>>>> " << prompt << std::endl;
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int run_command(const kc::connection_options& connection, const command_options& options, std::istream& in,
                std::ostream& out, std::ostream& err) {
  auto producer = kc::producer::create(connection);
  if (!producer) {
    err << "tributary command: " << producer.error().message << "\n";
    return 1;
  }
  auto responses = kc::consumer::create(connection);
  if (!responses) {
    err << "tributary command: " << responses.error().message << "\n";
    return 1;
  }
  // Listen before the first command is written, so that no response can come before we read.
  if (auto assigned = (*responses)->assign({"hono.command_response." + options.tenant}, kc::start_at::end, 10s);
      !assigned) {
    err << "tributary command: " << assigned.error().message << "\n";
    return 1;
  }
  commander c(options, **producer, **responses, out, err);
  if (options.name) return c.send(*options.name, options.payload, options.content_type) ? 0 : 1;

  bool all_ok = true;
  for (;;) {
    auto name = ask(in, out,
                    "Enter name of command for device [" + options.device + "] in tenant [" + options.tenant +
                        "] (prefix with 'ow:' to send one-way command):");
    if (!name) break;
    if (name->empty() || *name == one_way_prefix) continue;
    auto payload = ask(in, out, "Enter command payload:");
    if (!payload) break;
    auto content_type = ask(in, out, "Enter content type:");
    if (!content_type) break;
    all_ok = c.send(*name, *payload, *content_type) && all_ok;
  }
  return all_ok ? 0 : 1;
}

}  // namespace tributary::cli
