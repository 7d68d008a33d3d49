// avro_codec: Avro data in Avro's JSON encoding (unions as {"<branch type>": value} or null, bytes
// and fixed as strings of code points 0-255) to Avro binary for a schema (with libavro's generic
// values) and back (with a bounds-checked reader of our own walking libavro's schema: libavro's
// reader leaks on some truncated input); and Confluent's wire format around it (magic byte 0,
// 4-byte big-endian schema id, Avro binary). Errors are values with a message. Thread-safe.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "schema_registry/avro_schema.h"

namespace tributary::schema_registry {

// Binary Avro of `data` for `schema`, or why `data` does not fit it.
result<std::string, std::string> encode_avro(const avro_schema& schema, const boost::json::value& data);
// Avro's JSON encoding (one line) of `binary` read with `schema`, or why it cannot be read.
result<std::string, std::string> decode_avro(const avro_schema& schema, std::string_view binary);

// Confluent's framing: 0x00, schema id (4 bytes, big-endian), payload.
std::string frame(std::int32_t schema_id, std::string_view avro_binary);
struct framed {
  std::int32_t schema_id = 0;
  std::string_view payload;
};
// nullopt when the bytes do not start with magic byte 0 and a schema id.
std::optional<framed> unframe(std::string_view bytes);

}  // namespace tributary::schema_registry
