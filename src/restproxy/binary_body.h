// binary_body: the fast path of parse_produce_request for the binary embedded format, a streaming
// (SAX) parse that decodes each base64 key and value as it arrives instead of building a JSON
// document first. It only accepts what parses cleanly (records with string or null keys and
// values, integer or null partitions, headers); for anything else it answers nullopt and the
// document parser decides, with its exact error messages. Pure.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "restproxy/produce_request.h"

namespace tributary::restproxy {

std::optional<std::vector<produce_record>> parse_binary_body_fast(std::string_view body);

}  // namespace tributary::restproxy
