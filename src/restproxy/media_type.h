// media_type: the REST proxy's content negotiation (../shared/spec/kafka-rest-proxy.md §1): which
// embedded format a request's Content-Type names, and whether an Accept header admits a response
// type. Pure functions over header values; knows nothing about routes or Kafka.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tributary::restproxy {

enum class embedded_format { binary, json, avro, jsonschema, protobuf };

inline constexpr std::string_view v2_json = "application/vnd.kafka.v2+json";
inline constexpr std::string_view plain_json = "application/json";

// "binary", "json", ... (the consumer `format` field and the media type infix).
std::string_view format_name(embedded_format f);
// Case-insensitive, as the Java proxy matches its enum names.
std::optional<embedded_format> parse_format_name(std::string_view name);
// application/vnd.kafka.<format>.v2+json
std::string format_media_type(embedded_format f);

// The embedded format a produce request's Content-Type names (parameters such as charset ignored);
// nullopt for anything else, which is 415.
std::optional<embedded_format> produce_format(std::string_view content_type);
// Whether a consumer request's Content-Type is acceptable: an embedded type, v2+json or
// application/json; an absent one too (bodies are optional there).
bool consumer_content_type_ok(std::string_view content_type);

// Whether `accept` (an Accept header value; empty means */*) admits `offered`, by exact type,
// type/* or */*, with q > 0.
bool accepts(std::string_view accept, std::string_view offered);
// The embedded format an Accept header names explicitly (application/vnd.kafka.<f>.v2+json), if any.
std::optional<embedded_format> accepted_format(std::string_view accept);

}  // namespace tributary::restproxy
