#include "schema_registry/avro_codec.h"

#include <avro.h>
#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <memory>

#include "common/big_endian.h"

namespace tributary::schema_registry {
namespace {

namespace json = boost::json;

// A generic value of a schema, released with its class.
class generic_value {
 public:
  explicit generic_value(avro_schema_t schema) : iface_(avro_generic_class_from_schema(schema)) {
    if (iface_ && avro_generic_value_new(iface_, &value_) == 0) ok_ = true;
  }
  ~generic_value() {
    if (ok_) avro_value_decref(&value_);
    if (iface_) avro_value_iface_decref(iface_);
  }
  generic_value(const generic_value&) = delete;
  generic_value& operator=(const generic_value&) = delete;
  bool ok() const { return ok_; }
  avro_value_t* get() { return &value_; }

 private:
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{};
  bool ok_ = false;
};

std::string where(const std::string& path) { return path.empty() ? "the data" : path; }

// Latin-1 code points of a JSON string as bytes (Avro's JSON encoding of bytes and fixed).
std::optional<std::string> latin1(json::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      const unsigned cp = ((c & 0x1f) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3f);
      if (cp > 0xff) return std::nullopt;
      out.push_back(static_cast<char>(cp));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> fill(avro_value_t* v, const json::value& data, const std::string& path);

std::optional<std::string> fill_union(avro_value_t* v, const json::value& data, const std::string& path) {
  avro_schema_t schema = avro_value_get_schema(v);
  const auto branches = avro_schema_union_size(schema);
  avro_value_t branch;
  if (data.is_null()) {
    for (size_t i = 0; i < branches; ++i) {
      if (is_avro_null(avro_schema_union_branch(schema, static_cast<int>(i)))) {
        if (avro_value_set_branch(v, static_cast<int>(i), &branch) != 0) return "cannot select the null branch at " + where(path);
        return avro_value_set_null(&branch) == 0 ? std::nullopt : std::optional<std::string>("cannot set null at " + where(path));
      }
    }
    return "null is not a branch of the union at " + where(path);
  }
  const auto* o = data.if_object();
  if (!o || o->size() != 1)
    return "a union value must be null or {\"<type>\": value}, not " + json::serialize(data) + " at " + where(path);
  const auto& [type, inner] = *o->begin();
  const std::string wanted(type);
  for (size_t i = 0; i < branches; ++i) {
    avro_schema_t b = avro_schema_union_branch(schema, static_cast<int>(i));
    const char* name = avro_schema_type_name(b);
    std::string full = name ? name : "";
    if (const char* ns = avro_schema_namespace(b); ns && *ns && is_avro_named_type(b)) full = std::string(ns) + "." + full;
    if (wanted == full || wanted == (name ? name : "")) {
      if (avro_value_set_branch(v, static_cast<int>(i), &branch) != 0) return "cannot select branch " + wanted + " at " + where(path);
      return fill(&branch, inner, path);
    }
  }
  return "\"" + wanted + "\" is not a branch of the union at " + where(path);
}

std::optional<std::string> fill(avro_value_t* v, const json::value& data, const std::string& path) {
  const auto mismatch = [&](const char* expected) {
    return std::optional<std::string>("expected " + std::string(expected) + " at " + where(path) + ", got " + json::serialize(data));
  };
  switch (avro_value_get_type(v)) {
    case AVRO_NULL:
      if (!data.is_null()) return mismatch("null");
      avro_value_set_null(v);
      return std::nullopt;
    case AVRO_BOOLEAN:
      if (!data.is_bool()) return mismatch("a boolean");
      avro_value_set_boolean(v, data.get_bool());
      return std::nullopt;
    case AVRO_INT32: {
      const auto n = data.if_int64();
      if (!n || *n < INT32_MIN || *n > INT32_MAX) return mismatch("an int");
      avro_value_set_int(v, static_cast<int32_t>(*n));
      return std::nullopt;
    }
    case AVRO_INT64: {
      const auto n = data.if_int64();
      if (!n) return mismatch("a long");
      avro_value_set_long(v, *n);
      return std::nullopt;
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
      double d = 0;
      if (auto i = data.if_int64()) d = static_cast<double>(*i);
      else if (auto u = data.if_uint64()) d = static_cast<double>(*u);
      else if (auto f = data.if_double()) d = *f;
      else return mismatch("a number");
      if (avro_value_get_type(v) == AVRO_FLOAT) avro_value_set_float(v, static_cast<float>(d));
      else avro_value_set_double(v, d);
      return std::nullopt;
    }
    case AVRO_STRING: {
      const auto* s = data.if_string();
      if (!s) return mismatch("a string");
      avro_value_set_string_len(v, s->data(), s->size() + 1);  // libavro counts the terminating NUL
      return std::nullopt;
    }
    case AVRO_BYTES:
    case AVRO_FIXED: {
      const auto* s = data.if_string();
      auto bytes = s ? latin1(*s) : std::nullopt;
      if (!bytes) return mismatch("a string of code points 0-255");
      if (avro_value_get_type(v) == AVRO_BYTES) {
        avro_value_set_bytes(v, bytes->data(), bytes->size());
        return std::nullopt;
      }
      if (static_cast<int64_t>(bytes->size()) != avro_schema_fixed_size(avro_value_get_schema(v)))
        return "fixed value of the wrong size at " + where(path);
      avro_value_set_fixed(v, bytes->data(), bytes->size());
      return std::nullopt;
    }
    case AVRO_ENUM: {
      const auto* s = data.if_string();
      if (!s) return mismatch("an enum symbol");
      const int index = avro_schema_enum_get_by_name(avro_value_get_schema(v), std::string(*s).c_str());
      if (index < 0) return "\"" + std::string(*s) + "\" is not a symbol of the enum at " + where(path);
      avro_value_set_enum(v, index);
      return std::nullopt;
    }
    case AVRO_ARRAY: {
      const auto* a = data.if_array();
      if (!a) return mismatch("an array");
      for (std::size_t i = 0; i < a->size(); ++i) {
        avro_value_t item;
        if (avro_value_append(v, &item, nullptr) != 0) return "cannot append at " + where(path);
        if (auto e = fill(&item, (*a)[i], path + "[" + std::to_string(i) + "]")) return e;
      }
      return std::nullopt;
    }
    case AVRO_MAP: {
      const auto* o = data.if_object();
      if (!o) return mismatch("a map (object)");
      for (const auto& [key, item_data] : *o) {
        avro_value_t item;
        if (avro_value_add(v, std::string(key).c_str(), &item, nullptr, nullptr) != 0) return "cannot add to the map at " + where(path);
        if (auto e = fill(&item, item_data, path + "." + std::string(key))) return e;
      }
      return std::nullopt;
    }
    case AVRO_RECORD: {
      const auto* o = data.if_object();
      if (!o) return mismatch("a record (object)");
      avro_schema_t schema = avro_value_get_schema(v);
      const auto fields = avro_schema_record_size(schema);
      for (size_t i = 0; i < fields; ++i) {
        const char* name = avro_schema_record_field_name(schema, static_cast<int>(i));
        avro_value_t field;
        if (avro_value_get_by_index(v, i, &field, nullptr) != 0) return "cannot reach field " + std::string(name);
        const auto* field_data = o->if_contains(name);
        const std::string field_path = path.empty() ? name : path + "." + name;
        if (!field_data) return "field " + field_path + " is missing";
        if (auto e = fill(&field, *field_data, field_path)) return e;
      }
      return std::nullopt;
    }
    case AVRO_UNION: return fill_union(v, data, path);
    default: return "unsupported Avro type at " + where(path);
  }
}

void append_string(std::string_view s, std::string& out) { out += json::serialize(json::string(s)); }

// Bytes as a JSON string of code points 0-255 (Avro's JSON encoding of bytes and fixed).
void append_latin1(const void* data, std::size_t size, std::string& out) {
  std::string utf8;
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    if (p[i] < 0x80) {
      utf8.push_back(static_cast<char>(p[i]));
    } else {
      utf8.push_back(static_cast<char>(0xc0 | (p[i] >> 6)));
      utf8.push_back(static_cast<char>(0x80 | (p[i] & 0x3f)));
    }
  }
  append_string(utf8, out);
}

void append_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char text[32];
  const auto [end, ec] = std::to_chars(text, text + sizeof text, d);
  std::string_view written(text, static_cast<std::size_t>(end - text));
  out += written;
  if (written.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

// Avro's JSON encoding of a value, the inverse of fill (libavro's own loses bytes after a NUL).
bool render(avro_value_t* v, std::string& out) {
  switch (avro_value_get_type(v)) {
    case AVRO_NULL: out += "null"; return true;
    case AVRO_BOOLEAN: {
      int b = 0;
      avro_value_get_boolean(v, &b);
      out += b ? "true" : "false";
      return true;
    }
    case AVRO_INT32: {
      int32_t n = 0;
      avro_value_get_int(v, &n);
      out += std::to_string(n);
      return true;
    }
    case AVRO_INT64: {
      int64_t n = 0;
      avro_value_get_long(v, &n);
      out += std::to_string(n);
      return true;
    }
    case AVRO_FLOAT: {
      float f = 0;
      avro_value_get_float(v, &f);
      append_double(f, out);
      return true;
    }
    case AVRO_DOUBLE: {
      double d = 0;
      avro_value_get_double(v, &d);
      append_double(d, out);
      return true;
    }
    case AVRO_STRING: {
      const char* str = nullptr;
      size_t size = 0;
      avro_value_get_string(v, &str, &size);
      append_string(std::string_view(str, size > 0 ? size - 1 : 0), out);  // size counts the NUL
      return true;
    }
    case AVRO_BYTES:
    case AVRO_FIXED: {
      const void* buf = nullptr;
      size_t size = 0;
      if (avro_value_get_type(v) == AVRO_BYTES) avro_value_get_bytes(v, &buf, &size);
      else avro_value_get_fixed(v, &buf, &size);
      append_latin1(buf, size, out);
      return true;
    }
    case AVRO_ENUM: {
      int index = 0;
      avro_value_get_enum(v, &index);
      const char* symbol = avro_schema_enum_get(avro_value_get_schema(v), index);
      if (!symbol) return false;
      append_string(symbol, out);
      return true;
    }
    case AVRO_ARRAY: {
      size_t n = 0;
      avro_value_get_size(v, &n);
      out += '[';
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        if (i) out += ',';
        if (avro_value_get_by_index(v, i, &item, nullptr) != 0 || !render(&item, out)) return false;
      }
      out += ']';
      return true;
    }
    case AVRO_MAP:
    case AVRO_RECORD: {
      size_t n = 0;
      avro_value_get_size(v, &n);
      out += '{';
      for (size_t i = 0; i < n; ++i) {
        avro_value_t item;
        const char* name = nullptr;
        if (i) out += ',';
        if (avro_value_get_by_index(v, i, &item, &name) != 0 || !name) return false;
        append_string(name, out);
        out += ':';
        if (!render(&item, out)) return false;
      }
      out += '}';
      return true;
    }
    case AVRO_UNION: {
      avro_value_t branch;
      if (avro_value_get_current_branch(v, &branch) != 0) return false;
      if (avro_value_get_type(&branch) == AVRO_NULL) {
        out += "null";
        return true;
      }
      avro_schema_t b = avro_value_get_schema(&branch);
      std::string name = avro_schema_type_name(b);
      if (const char* ns = avro_schema_namespace(b); ns && *ns && is_avro_named_type(b)) name = std::string(ns) + "." + name;
      out += '{';
      append_string(name, out);
      out += ':';
      if (!render(&branch, out)) return false;
      out += '}';
      return true;
    }
    default: return false;
  }
}

}  // namespace

result<std::string, std::string> encode_avro(const avro_schema& schema, const json::value& data) {
  generic_value value(schema.get());
  if (!value.ok()) return fail(std::string("cannot make a value of the schema: ") + avro_strerror());
  if (auto e = fill(value.get(), data, "")) return fail(*e);
  size_t size = 0;
  if (avro_value_sizeof(value.get(), &size) != 0) return fail(std::string("cannot size the value: ") + avro_strerror());
  std::string out(size, '\0');
  avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(out.size()));
  const int failed = avro_value_write(writer, value.get());
  avro_writer_free(writer);
  if (failed) return fail(std::string("cannot write the value: ") + avro_strerror());
  return out;
}

result<std::string, std::string> decode_avro(const avro_schema& schema, std::string_view binary) {
  generic_value value(schema.get());
  if (!value.ok()) return fail(std::string("cannot make a value of the schema: ") + avro_strerror());
  avro_reader_t reader = avro_reader_memory(binary.data(), static_cast<int64_t>(binary.size()));
  const int failed = avro_value_read(reader, value.get());
  char extra = 0;
  const bool left_over = !failed && avro_read(reader, &extra, 1) == 0;
  avro_reader_free(reader);
  if (failed) return fail(std::string("not Avro data of the schema: ") + avro_strerror());
  if (left_over) return fail(std::string("not Avro data of the schema: bytes left over after the value"));
  std::string out;
  if (!render(value.get(), out)) return fail(std::string("cannot render the value"));
  return out;
}

std::string frame(std::int32_t schema_id, std::string_view avro_binary) {
  std::string out(5 + avro_binary.size(), '\0');
  write_be(reinterpret_cast<std::uint8_t*>(out.data() + 1), schema_id);
  std::copy(avro_binary.begin(), avro_binary.end(), out.begin() + 5);
  return out;
}

std::optional<framed> unframe(std::string_view bytes) {
  if (bytes.size() < 5 || bytes[0] != 0) return std::nullopt;
  return framed{read_be<std::int32_t>(reinterpret_cast<const std::uint8_t*>(bytes.data() + 1)), bytes.substr(5)};
}

}  // namespace tributary::schema_registry
