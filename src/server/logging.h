// logging: configures spdlog's default logger (stderr) from log.level and log.format. Called once
// at start-up, before any thread starts; modules then log through spdlog's free functions.
#pragma once

#include <string>

namespace tributary::server {

void setup_logging(const std::string& level, const std::string& format);

// Escapes text for a JSON string literal (without the quotes).
std::string json_escape(std::string_view text);

}  // namespace tributary::server
