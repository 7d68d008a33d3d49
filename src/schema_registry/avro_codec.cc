#include "schema_registry/avro_codec.h"

#include <avro.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <vector>
#include <memory>

#include "common/big_endian.h"
#include "common/double_text.h"
#include "common/utf8.h"

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
        if (key.find('\0') != json::string_view::npos)  // libavro takes map keys as C strings
          return "a map key with U+0000 at " + where(path) + " is not supported";
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

// Reads Avro binary straight from the bytes by walking the schema and writes Avro's JSON
// encoding: every length is checked against what is left, so hostile bytes cannot make it read
// past the end or allocate (libavro's reader leaks on some truncated strings), and nesting is
// bounded (a recursive schema cannot recurse without data to read, but the data can be deep).
class binary_reader {
 public:
  explicit binary_reader(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}
  bool done() const { return p_ == end_; }

  std::optional<std::string> value(avro_schema_t schema, std::string& out, int depth = 0) {
    if (depth > max_depth) return std::string("nested deeper than ") + std::to_string(max_depth) + " levels";
    if (is_avro_link(schema)) schema = avro_schema_link_target(schema);
    switch (avro_typeof(schema)) {
      case AVRO_NULL: out += "null"; return std::nullopt;
      case AVRO_BOOLEAN: {
        if (p_ == end_ || static_cast<unsigned char>(*p_) > 1) return std::string("a boolean is not 0 or 1");
        out += *p_++ ? "true" : "false";
        return std::nullopt;
      }
      case AVRO_INT32:
      case AVRO_INT64: {
        auto n = varlong();
        if (!n) return std::string("a bad varint");
        if (avro_typeof(schema) == AVRO_INT32 && (*n < INT32_MIN || *n > INT32_MAX)) return std::string("an int out of range");
        out += std::to_string(*n);
        return std::nullopt;
      }
      case AVRO_FLOAT: {
        if (end_ - p_ < 4) return std::string("a float cut short");
        float f;
        std::memcpy(&f, p_, 4);  // little-endian, as this machine
        p_ += 4;
        append_double_text(f, out);
        return std::nullopt;
      }
      case AVRO_DOUBLE: {
        if (end_ - p_ < 8) return std::string("a double cut short");
        double d;
        std::memcpy(&d, p_, 8);
        p_ += 8;
        append_double_text(d, out);
        return std::nullopt;
      }
      case AVRO_STRING:
      case AVRO_BYTES: {
        auto n = varlong();
        if (!n || *n < 0 || *n > end_ - p_) return std::string("a length beyond the data");
        const std::string_view bytes(p_, static_cast<std::size_t>(*n));
        p_ += *n;
        if (avro_typeof(schema) == AVRO_STRING) append_string(utf8_with_replacements(bytes), out);  // as Java reads it
        else append_latin1(bytes.data(), bytes.size(), out);
        return std::nullopt;
      }
      case AVRO_FIXED: {
        const auto size = avro_schema_fixed_size(schema);
        if (size > end_ - p_) return std::string("a fixed cut short");
        append_latin1(p_, static_cast<std::size_t>(size), out);
        p_ += size;
        return std::nullopt;
      }
      case AVRO_ENUM: {
        auto n = varlong();
        if (!n || *n < 0 || *n >= avro_schema_enum_number_of_symbols(schema)) return std::string("an enum index out of range");
        append_string(avro_schema_enum_get(schema, static_cast<int>(*n)), out);
        return std::nullopt;
      }
      case AVRO_ARRAY:
      case AVRO_MAP: {
        const bool map = avro_typeof(schema) == AVRO_MAP;
        avro_schema_t items = map ? avro_schema_map_values(schema) : avro_schema_array_items(schema);
        // A map's entries: a key written twice keeps its last value (as Java's HashMap does).
        std::vector<std::pair<std::string, std::string>> entries;
        std::int64_t null_items = 0;
        out += map ? '{' : '[';
        bool first = true;
        for (;;) {
          auto count = varlong();
          if (!count) return std::string("a bad block count");
          if (*count == 0) break;
          if (*count < 0) {
            if (*count == INT64_MIN || !varlong()) return std::string("a bad block size");  // the byte size is not needed
            count = -*count;
          }
          // Every item takes a byte at least, but nulls: an array of those gets a fixed cap instead.
          const bool zero_width = !map && avro_typeof(is_avro_link(items) ? avro_schema_link_target(items) : items) == AVRO_NULL;
          null_items += zero_width ? *count : 0;
          if (zero_width ? null_items > max_null_items : *count > end_ - p_) return std::string("a block count beyond the data");
          for (std::int64_t i = 0; i < *count; ++i) {
            if (!map) {
              if (!first) out += ',';
              first = false;
              if (auto e = value(items, out, depth + 1)) return e;
              continue;
            }
            auto n = varlong();
            if (!n || *n < 0 || *n > end_ - p_) return std::string("a map key beyond the data");
            std::string key = utf8_with_replacements(std::string_view(p_, static_cast<std::size_t>(*n)));
            p_ += *n;
            std::string item;
            if (auto e = value(items, item, depth + 1)) return e;
            auto same_key = std::find_if(entries.begin(), entries.end(), [&key](const auto& kv) { return kv.first == key; });
            if (same_key != entries.end()) same_key->second = std::move(item);
            else entries.emplace_back(std::move(key), std::move(item));
          }
        }
        for (std::size_t i = 0; i < entries.size(); ++i) {
          if (i) out += ',';
          append_string(entries[i].first, out);
          out += ':';
          out += entries[i].second;
        }
        out += map ? '}' : ']';
        return std::nullopt;
      }
      case AVRO_UNION: {
        auto n = varlong();
        if (!n || *n < 0 || *n >= static_cast<std::int64_t>(avro_schema_union_size(schema))) return std::string("a union branch out of range");
        avro_schema_t b = avro_schema_union_branch(schema, static_cast<int>(*n));
        avro_schema_t target = is_avro_link(b) ? avro_schema_link_target(b) : b;
        if (avro_typeof(target) == AVRO_NULL) {
          out += "null";
          return std::nullopt;
        }
        std::string name = avro_schema_type_name(target);
        if (const char* ns = avro_schema_namespace(target); ns && *ns && is_avro_named_type(target)) name = std::string(ns) + "." + name;
        out += '{';
        append_string(name, out);
        out += ':';
        if (auto e = value(target, out, depth + 1)) return e;
        out += '}';
        return std::nullopt;
      }
      case AVRO_RECORD: {
        out += '{';
        const auto fields = avro_schema_record_size(schema);
        for (size_t i = 0; i < fields; ++i) {
          if (i) out += ',';
          append_string(avro_schema_record_field_name(schema, static_cast<int>(i)), out);
          out += ':';
          if (auto e = value(avro_schema_record_field_get_by_index(schema, static_cast<int>(i)), out, depth + 1)) return e;
        }
        out += '}';
        return std::nullopt;
      }
      default: return std::string("an unsupported Avro type");
    }
  }

 private:
  static constexpr int max_depth = 64;
  static constexpr std::int64_t max_null_items = 1 << 16;

  // Zigzag varint of at most 10 bytes.
  std::optional<std::int64_t> varlong() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return std::nullopt;
      const auto b = static_cast<unsigned char>(*p_++);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
    }
    return std::nullopt;
  }

  const char* p_;
  const char* end_;
};

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
  binary_reader reader(binary);
  std::string out;
  if (auto e = reader.value(schema.get(), out)) return fail("not Avro data of the schema: " + *e);
  if (!reader.done()) return fail(std::string("not Avro data of the schema: bytes left over after the value"));
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
