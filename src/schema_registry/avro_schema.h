// avro_schema: an Avro schema parsed (and so validated) by Debian's libavro (avro-c), owned with
// RAII, compared and written back in libavro's normalized form. Compatibility between schemas is
// compatibility.h's (libavro's resolver ignores field defaults). Thread-safe for reads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

struct avro_obj_t;

namespace tributary::schema_registry {

class avro_schema {
 public:
  // nullopt-like failure with libavro's message when `text` is not an Avro schema.
  static result<avro_schema, std::string> parse(std::string_view text);

  // The schema as libavro writes it back: one JSON line, attributes it does not know dropped.
  std::string canonical() const;
  bool operator==(const avro_schema& other) const;

  avro_obj_t* get() const { return schema_.get(); }

 private:
  struct release {
    void operator()(avro_obj_t* s) const;
  };
  explicit avro_schema(avro_obj_t* s) : schema_(s, release{}) {}
  std::shared_ptr<avro_obj_t> schema_;
};

}  // namespace tributary::schema_registry
