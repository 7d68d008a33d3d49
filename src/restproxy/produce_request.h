// produce_request: the body of a v2 produce request (`{"records": [{"key", "value", "partition",
// "headers"}...]}`, ../shared/spec/kafka-rest-proxy.md §5) parsed into Kafka records for the binary
// and json embedded formats, and the produce response's JSON. `headers` (an array of
// {"name", "value": base64 or null}) is Tributary's extension; absent, the request is Confluent's.
// Pure: no I/O, no partitioning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "log/record_batch.h"
#include "restproxy/media_type.h"
#include "restproxy/rest_error.h"

namespace tributary::restproxy {

struct produce_record {
  std::optional<std::string> key;    // serialized bytes; nullopt = no key
  std::optional<std::string> value;  // nullopt = null value (tombstone)
  std::optional<std::int32_t> partition;
  std::vector<log::header> headers;
  std::optional<std::int64_t> timestamp;  // ms since the epoch; nullopt: the time of the append
};

// Errors: JSON syntax or shape → 400, no records → 422, bad base64 → 400 (the proxy's messages).
// binary and json; avro records come back as json's (compact JSON text of key and value), to be
// encoded with the request's schemas (parse_schema_refs).
// Binary bodies go through binary_body.h's streaming parse first (`streaming` false: only the
// document parser, which must agree with it: the fuzz target checks).
proxy_result<std::vector<produce_record>> parse_produce_request(std::string_view body, embedded_format format,
                                                                bool streaming = true);

// One entry per record of the request, in order: where it went, or why not.
struct produce_outcome {
  std::optional<std::int32_t> partition;
  std::optional<std::int64_t> offset;
  std::optional<int> error_code;
  std::optional<std::string> error;
};

// {"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null}],"key_schema_id":null,
//  "value_schema_id":null}, nulls written out as the Java proxy does.
std::string produce_response_json(const std::vector<produce_outcome>& outcomes,
                                  std::optional<std::int32_t> key_schema_id = std::nullopt,
                                  std::optional<std::int32_t> value_schema_id = std::nullopt);

// The schemas an avro produce request names: the schema text or a registry id, for keys and values.
struct schema_refs {
  std::optional<std::string> key_schema, value_schema;
  std::optional<std::int32_t> key_schema_id, value_schema_id;
};
proxy_result<schema_refs> parse_schema_refs(std::string_view body);

// Headers as `[{"name": ..., "value": base64 or null}]`; 400 for any other shape.
proxy_result<std::vector<log::header>> parse_headers(const boost::json::value& v);
// A base64 string (or null) as bytes: 400 naming the data when it is not one.
proxy_result<std::optional<std::string>> parse_base64_field(const boost::json::value& v);

// Standard base64 as Java's basic decoder takes it: padding optional.
std::optional<std::string> decode_base64_lenient(std::string_view text);

}  // namespace tributary::restproxy
