// host_port: an address to listen on or connect to, written "host:port" ("[::1]:8088" for IPv6).
// Pure parsing and formatting; resolving and binding belong to net/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace tributary {

struct host_port {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;
  friend bool operator==(const host_port&, const host_port&) = default;
};

enum class host_port_errc { malformed };
using host_port_error = coded_error<host_port_errc>;

// Accepts "host:port", "[v6-address]:port" and ":port" (all interfaces). Port 0 asks the
// operating system for a free port.
result<host_port, host_port_error> parse_host_port(std::string_view text);

}  // namespace tributary
