#include "schema_registry/avro_schema.h"

#include <avro.h>

#include <mutex>

namespace tributary::schema_registry {
namespace {

// libavro keeps its last error message in a thread-local; parse and read it under one lock anyway,
// as its JSON parser (jansson) is shared.
std::mutex& avro_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

void avro_schema::release::operator()(avro_obj_t* s) const {
  if (s) avro_schema_decref(s);
}

result<avro_schema, std::string> avro_schema::parse(std::string_view text) {
  std::lock_guard lock(avro_mutex());
  avro_schema_t schema = nullptr;
  if (avro_schema_from_json_length(text.data(), text.size(), &schema) != 0 || !schema) {
    std::string message = avro_strerror();
    return fail(message.empty() ? std::string("not an Avro schema") : message);
  }
  return avro_schema(schema);
}

std::string avro_schema::canonical() const {
  std::lock_guard lock(avro_mutex());
  std::string out(4096, '\0');
  for (;;) {
    avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(out.size()));
    const int failed = avro_schema_to_json(schema_.get(), writer);
    const auto written = avro_writer_tell(writer);
    avro_writer_free(writer);
    if (!failed) {
      out.resize(static_cast<std::size_t>(written));
      return out;
    }
    out.assign(out.size() * 2, '\0');  // did not fit
  }
}

bool avro_schema::operator==(const avro_schema& other) const {
  std::lock_guard lock(avro_mutex());
  return avro_schema_equal(schema_.get(), other.schema_.get()) != 0;
}

}  // namespace tributary::schema_registry
