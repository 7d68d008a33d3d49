#include "restproxy/binary_body.h"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <string>

namespace tributary::restproxy {
namespace {

namespace json = boost::json;

// Where the parser is: the body object, its "records" array, a record, its "headers" array, a
// header; `skip` counts the levels of a value that is not ours (an unknown field's object or array).
class handler {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  std::vector<produce_record> records;
  bool saw_records = false;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return level_ == level::done; }

  bool on_object_begin(json::error_code&) {
    if (skip_) return ++skip_, true;
    switch (level_) {
      case level::start: level_ = level::body; return true;
      case level::records: level_ = level::record; records.emplace_back(); return true;
      case level::headers: level_ = level::header; records.back().headers.push_back({}); header_named_ = false; return true;
      default: return begin_skipped();
    }
  }
  bool on_object_end(std::size_t, json::error_code&) {
    if (skip_) return --skip_, true;
    switch (level_) {
      case level::body: level_ = level::done; return true;
      case level::record: level_ = level::records; return true;
      case level::header: level_ = level::headers; return header_named_;  // a header needs its name
      default: return false;
    }
  }
  bool on_array_begin(json::error_code&) {
    if (skip_) return ++skip_, true;
    if (level_ == level::body && key_ == "records") {
      level_ = level::records;
      saw_records = true;
      key_.clear();
      return true;
    }
    if (level_ == level::record && key_ == "headers") {
      level_ = level::headers;
      key_.clear();
      return true;
    }
    return begin_skipped();
  }
  bool on_array_end(std::size_t, json::error_code&) {
    if (skip_) return --skip_, true;
    if (level_ == level::records) return level_ = level::body, true;
    if (level_ == level::headers) return level_ = level::record, true;
    return false;
  }

  // key_ holds the field name until its value has come.
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (!skip_) key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    if (!skip_) key_.append(s.data(), s.size());
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    if (!skip_) text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    if (skip_) return true;
    bool ok = false;
    if (text_.empty()) {  // the whole string in one piece: no copy
      ok = string_value(std::string_view(s.data(), s.size()));
    } else {
      text_.append(s.data(), s.size());
      ok = string_value(text_);
      text_.clear();
    }
    key_.clear();
    return ok;
  }
  bool on_null(json::error_code&) {
    if (skip_) return true;
    // A null key, value, partition or headers is the default; a null header value is a header
    // without one. A null name, records or array element is the document parser's to refuse.
    const bool ok = !(level_ == level::header && key_ == "name") && level_ != level::records && level_ != level::headers &&
                    !(level_ == level::body && key_ == "records");
    key_.clear();
    return ok;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    if (skip_) return true;
    const bool ours = level_ == level::record && key_ == "partition";
    const bool unknown = unknown_field();
    key_.clear();
    if (!ours) return unknown;
    if (i < 0 || i > INT32_MAX) return false;
    records.back().partition = static_cast<std::int32_t>(i);
    return true;
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return scalar_or_skip(); }
  bool on_double(double, json::string_view, json::error_code&) { return scalar_or_skip(); }
  bool on_bool(bool, json::error_code&) { return scalar_or_skip(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return false; }
  bool on_comment(json::string_view, json::error_code&) { return false; }

 private:
  enum class level { start, body, records, record, headers, header, done };

  // An object or array where none of ours belongs: skipped when it is an unknown field's value.
  bool begin_skipped() {
    if (!unknown_field()) return false;
    skip_ = 1;
    key_.clear();
    return true;
  }
  bool unknown_field() const {
    if (level_ == level::body) return key_ != "records";
    if (level_ == level::record) return key_ != "key" && key_ != "value" && key_ != "partition" && key_ != "headers";
    if (level_ == level::header) return key_ != "name" && key_ != "value";
    return false;
  }
  bool scalar_or_skip() {
    if (skip_) return true;
    const bool unknown = unknown_field();
    key_.clear();
    return unknown;
  }

  bool string_value(std::string_view text) {
    if (level_ == level::record && (key_ == "key" || key_ == "value")) {
      auto bytes = decode_base64_lenient(text);
      if (!bytes) return false;
      (key_ == "key" ? records.back().key : records.back().value) = std::move(*bytes);
      return true;
    }
    if (level_ == level::header && key_ == "name") {
      records.back().headers.back().key = std::string(text);
      header_named_ = true;
      return true;
    }
    if (level_ == level::header && key_ == "value") {
      auto bytes = decode_base64_lenient(text);
      if (!bytes) return false;
      records.back().headers.back().value = std::move(*bytes);
      return true;
    }
    return unknown_field();  // e.g. a key_schema string: not ours
  }

  level level_ = level::start;
  std::size_t skip_ = 0;
  std::string key_;   // the field whose value comes next
  std::string text_;  // a string value arriving in parts
  bool header_named_ = false;
};

}  // namespace

std::optional<std::vector<produce_record>> parse_binary_body_fast(std::string_view body) {
  json::basic_parser<handler> parser{json::parse_options{}};
  json::error_code ec;
  const auto used = parser.write_some(false, body.data(), body.size(), ec);
  if (ec || used != body.size() || !parser.done()) return std::nullopt;
  auto& h = parser.handler();
  if (!h.saw_records || h.records.empty()) return std::nullopt;  // the 422s come from the document parser
  return std::move(h.records);
}

}  // namespace tributary::restproxy
