// Fuzz target for the Avro binary reader of the schema registry (src/schema_registry/avro_codec.h),
// which reads what clients stored in the log. The first byte picks one of a few schemas (records,
// unions, arrays, maps, a recursive list, bytes, fixed, enums), the rest is the Avro binary. Any
// bytes must decode to JSON or give a message; decoded JSON must encode again and decode to the
// same JSON, doubles within a few units in the last place (Boost 1.81's JSON parser does not
// round every decimal exactly), unless it holds a null where a NaN or infinity could not be
// written as JSON or a map key with U+0000 (libavro takes keys as C strings). A broken invariant
// aborts. Built as avro_decode_fuzz (libFuzzer, clang) and
// avro_decode_fuzz_replay (any compiler, run by ctest over corpus/avro_decode/); see README.md.
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "schema_registry/avro_codec.h"

namespace sr = tributary::schema_registry;

namespace {

bool close_enough(double a, double b) {
  return a == b || std::fabs(a - b) <= 1e-14 * std::max(std::fabs(a), std::fabs(b));
}

// Structural equality, doubles compared with close_enough.
bool same(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_double() || b.is_double()) {
    return (a.is_double() || a.is_int64()) && (b.is_double() || b.is_int64()) &&
           close_enough(a.to_number<double>(), b.to_number<double>());
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x)
      if (!y.contains(k) || !same(v, y.at(k))) return false;
    return true;
  }
  return a == b;
}

const std::array<const char*, 6> schemas = {
    R"({"type":"record","name":"User","namespace":"demo","fields":[{"name":"name","type":"string"},
        {"name":"age","type":["null","int"]},{"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"attrs","type":{"type":"map","values":"double"}}]})",
    R"({"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]}]})",
    R"(["null","boolean","float","bytes",{"type":"enum","name":"E","symbols":["A","B","C"]}])",
    R"({"type":"array","items":["null",{"type":"fixed","name":"F","size":3}]})",
    R"({"type":"map","values":{"type":"array","items":"null"}})",
    R"("string")",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const auto parsed = [] {
    std::vector<sr::avro_schema> out;
    for (const char* s : schemas) out.push_back(std::move(sr::avro_schema::parse(s).value()));
    return out;
  }();
  const auto& schema = parsed[data[0] % parsed.size()];
  const std::string_view binary(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto decoded = sr::decode_avro(schema, binary);
  if (!decoded) {
    FUZZ_CHECK(!decoded.error().empty());
    return 0;
  }
  boost::system::error_code ec;
  boost::json::parse_options deep;  // the decoder nests up to 64 Avro levels, two JSON levels each
  deep.max_depth = 512;
  const auto json = boost::json::parse(*decoded, ec, {}, deep);
  FUZZ_CHECK(!ec);
  const auto encoded = sr::encode_avro(schema, json);
  if (!encoded) {
    FUZZ_CHECK(decoded->find("null") != std::string::npos || decoded->find("\\u0000") != std::string::npos);
    return 0;
  }
  const auto again = sr::decode_avro(schema, *encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(same(boost::json::parse(*again, {}, deep), json));
  return 0;
}
