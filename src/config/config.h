// config: the one typed configuration of a Tributary process. Values come from, in increasing
// precedence, the defaults declared in keys.cc, a YAML file, TRIBUTARY_* environment variables and
// --section.key=value flags (loader.h). This header owns only the shape; no I/O.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "common/host_port.h"

namespace tributary::config {

struct log_section {
  std::string level;   // trace, debug, info, warn, error, critical, off
  std::string format;  // text or json
};

struct admin_section {
  host_port listen;  // health and metrics HTTP listener
};

struct server_section {
  int threads = 0;  // I/O threads, one io_context each; 0 = one per core
  std::chrono::milliseconds shutdown_timeout{0};
};

struct config {
  std::filesystem::path data_dir;
  log_section log;
  admin_section admin;
  server_section server;
};

}  // namespace tributary::config
