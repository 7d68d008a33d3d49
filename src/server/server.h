// server: wires the modules together from one config and runs them until SIGTERM/SIGINT. Owns the
// data-directory lock, the io_pool, every listener, health and the metrics registry, and the staged
// shutdown (stop accepting, drain in-flight work up to server.shutdown-timeout-ms, close, flush).
// Called from the main thread only.
#pragma once

#include "config/config.h"

namespace tributary::server {

struct serve_options {
  bool demo = false;  // load demo data (tenant, devices, users) once the registry exists
};

// Runs the server until a termination signal; returns the process exit code (0 after a clean
// shutdown, 1 when start-up fails, with the reason logged).
int serve(const config::config& c, serve_options options);

}  // namespace tributary::server
