#include "restproxy/avro_serde.h"

#include <boost/json/parse.hpp>

#include "net/blocking.h"
#include "restproxy/json_text.h"
#include "schema_registry/avro_codec.h"

namespace tributary::restproxy {
namespace {

rest_error from_registry(const schema_registry::registry_error& e) {
  using schema_registry::registry_errc;
  switch (e.code) {
    case registry_errc::invalid_schema: return {422, 42205, e.message};
    case registry_errc::incompatible: return {409, 409, e.message};
    case registry_errc::schema_not_found:
    case registry_errc::subject_not_found:
    case registry_errc::version_not_found: return {404, 40403, e.message};
    default: return {500, 50002, "Schema registry error: " + e.message};
  }
}

}  // namespace

boost::asio::awaitable<proxy_result<std::int32_t>> avro_serde::resolve(std::string subject, std::optional<std::string> text,
                                                                       std::optional<std::int32_t> id) {
  if (!text) {
    auto found = schema(*id);
    if (!found) co_return fail(found.error());
    co_return *id;
  }
  auto registering = net::offload(blocking_, [this, &subject, &text] { return schemas_.register_schema(subject, *text); });
  auto registered = co_await std::move(registering);
  if (!registered) co_return fail(from_registry(registered.error()));
  co_return static_cast<std::int32_t>(*registered);
}

proxy_result<std::shared_ptr<const schema_registry::avro_schema>> avro_serde::schema(std::int32_t id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  auto text = schemas_.schema_by_id(id);
  if (!text) return fail(from_registry(text.error()));
  auto parsed = schema_registry::avro_schema::parse(*text);
  if (!parsed) return fail(rest_error{500, 50002, "Schema " + std::to_string(id) + " does not parse: " + parsed.error()});
  auto shared = std::make_shared<const schema_registry::avro_schema>(std::move(*parsed));
  std::lock_guard lock(mutex_);
  cache_.emplace(id, shared);
  return shared;
}

proxy_result<std::string> avro_serde::encode(std::int32_t id, std::string_view json_text) {
  auto s = schema(id);
  if (!s) return fail(s.error());
  boost::system::error_code ec;
  const auto data = boost::json::parse(json_text, ec, {}, record_data_parse_options());
  if (ec) return fail(rest_error{422, 42203, "Conversion of JSON to Object failed: " + ec.message()});
  auto binary = schema_registry::encode_avro(**s, data);
  if (!binary) return fail(rest_error{422, 42203, "Conversion of JSON to Avro failed: " + binary.error()});
  return schema_registry::frame(id, *binary);
}

proxy_result<std::string> avro_serde::decode(std::string_view framed_bytes) {
  const auto f = schema_registry::unframe(framed_bytes);
  if (!f) return fail(rest_error{408, 40801, "Error deserializing Avro message: unknown magic byte"});
  auto s = schema(f->schema_id);
  if (!s) return fail(rest_error{408, 40801, "Error deserializing Avro message for id " + std::to_string(f->schema_id) + ": " + s.error().message});
  auto text = schema_registry::decode_avro(**s, f->payload);
  if (!text) return fail(rest_error{408, 40801, "Error deserializing Avro message for id " + std::to_string(f->schema_id) + ": " + text.error()});
  return std::move(*text);
}

}  // namespace tributary::restproxy
