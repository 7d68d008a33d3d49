// reference: the configuration reference as Markdown, generated from keys.cc. The README embeds
// it between markers and an integration test fails when the two differ.
#pragma once

#include <string>

#include "config/config.h"

namespace tributary::config {

std::string reference_markdown();

// Every key with its effective value in `c`, one `key: value` line each (YAML that --config accepts).
std::string effective_yaml(const config& c);

}  // namespace tributary::config
