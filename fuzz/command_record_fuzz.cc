// Fuzz target for command records (src/commands/command.h) and request ids (request_id.h). The input
// is split at '\n' into the key, the value and headers `name=value` (a line without '=' is a header
// without a value); the whole input is also decoded as a request id. Invariants: a valid command's
// device id is the key and its name is non-empty; a request/response command has a correlation id
// whose request id decodes back to it; a correlation id decoded from a request id is the 1 to 255
// bytes after its three-character prefix.
// Built as command_record_fuzz (libFuzzer, clang) and command_record_fuzz_replay (ctest over
// corpus/command_record/); see README.md.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "commands/command.h"
#include "commands/request_id.h"

namespace {

namespace cmd = tributary::commands;

tributary::log::record to_record(std::string_view input) {
  std::vector<std::string_view> lines;
  for (std::size_t start = 0;;) {
    const auto eol = input.find('\n', start);
    lines.push_back(input.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start));
    if (eol == std::string_view::npos) break;
    start = eol + 1;
  }
  tributary::log::record r;
  r.key = std::string(lines[0]);
  if (lines.size() > 1) r.value = std::string(lines[1]);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const auto eq = lines[i].find('=');
    if (eq == std::string_view::npos) r.headers.push_back({std::string(lines[i]), std::nullopt});
    else r.headers.push_back({std::string(lines[i].substr(0, eq)), std::string(lines[i].substr(eq + 1))});
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto cid = cmd::decode_request_id(input)) {
    FUZZ_CHECK(!cid->empty() && cid->size() <= 255);
    FUZZ_CHECK(input.substr(3, cid->size()) == *cid);
  }

  const auto record = to_record(input);
  auto c = cmd::parse_command("tenant", record);
  if (c) {
    FUZZ_CHECK(record.key && c->device_id == *record.key);
    FUZZ_CHECK(!c->name.empty());
    if (c->correlation_id) {
      auto id = cmd::encode_request_id(*c->correlation_id);
      FUZZ_CHECK(id.ok());
      auto back = cmd::decode_request_id(*id);
      FUZZ_CHECK(back.ok() && *back == *c->correlation_id);
    }
    const auto response = cmd::failure_response(*c, 503, "no consumer available", 0);
    FUZZ_CHECK(response.key == c->device_id);
  } else {
    FUZZ_CHECK(!c.error().message.empty());
    FUZZ_CHECK(!c.error().respond || c.error().partial.correlation_id);
  }
  return 0;
}
