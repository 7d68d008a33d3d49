// avro_serde: the proxy's avro embedded format over the in-process schema registry: a produce
// request's schemas registered under Confluent's TopicNameStrategy subjects ("<topic>-key",
// "<topic>-value") or looked up by id, records' JSON encoded into Confluent's wire format (magic
// 0, schema id, Avro binary), and stored records decoded back to Avro's JSON encoding for
// consumers. Schemas are parsed once per id. Registration (an fsync) runs on the blocking pool.
// Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "restproxy/rest_error.h"
#include "schema_registry/avro_schema.h"
#include "schema_registry/store.h"

namespace tributary::restproxy {

class avro_serde {
 public:
  avro_serde(schema_registry::store& schemas, boost::asio::thread_pool& blocking) : schemas_(schemas), blocking_(blocking) {}

  // The id of the schema `text` (registered under `subject` when new) or of `id` (which must exist).
  boost::asio::awaitable<proxy_result<std::int32_t>> resolve(std::string subject, std::optional<std::string> text,
                                                             std::optional<std::int32_t> id);
  // JSON text -> framed Avro (42203 when the data does not fit the schema).
  proxy_result<std::string> encode(std::int32_t id, std::string_view json_text);
  // Framed Avro -> JSON text (40801 when the bytes are not that).
  proxy_result<std::string> decode(std::string_view framed_bytes);

 private:
  proxy_result<std::shared_ptr<const schema_registry::avro_schema>> schema(std::int32_t id);

  schema_registry::store& schemas_;
  boost::asio::thread_pool& blocking_;
  std::mutex mutex_;
  std::map<std::int32_t, std::shared_ptr<const schema_registry::avro_schema>> cache_;
};

}  // namespace tributary::restproxy
