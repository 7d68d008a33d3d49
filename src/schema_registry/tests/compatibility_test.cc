#include "schema_registry/compatibility.h"

#include <gtest/gtest.h>

namespace tributary::schema_registry {
namespace {

constexpr const char* v1 = R"({"type":"record","name":"User","namespace":"a","fields":[{"name":"name","type":"string"}]})";
constexpr const char* v2_default =
    R"({"type":"record","name":"User","namespace":"a","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]})";
constexpr const char* v2_no_default =
    R"({"type":"record","name":"User","namespace":"a","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]})";

bool reads(const char* reader, const char* writer) { return !resolution_error(reader, writer).has_value(); }

TEST(Compatibility, RecordFieldsNeedDefaultsWhenMissing) {
  EXPECT_TRUE(reads(v2_default, v1));
  EXPECT_TRUE(reads(v1, v2_default));  // extra writer fields are skipped
  EXPECT_FALSE(reads(v2_no_default, v1));
  EXPECT_EQ(resolution_error(v2_no_default, v1), "reader field 'age' of a.User has no default and is not in the writer");
}

TEST(Compatibility, PromotionsAndMismatches) {
  EXPECT_TRUE(reads(R"("long")", R"("int")"));
  EXPECT_TRUE(reads(R"("double")", R"("float")"));
  EXPECT_TRUE(reads(R"("bytes")", R"("string")"));
  EXPECT_FALSE(reads(R"("int")", R"("long")"));
  EXPECT_FALSE(reads(R"("string")", R"("int")"));
  EXPECT_TRUE(reads(R"({"type":"string","logicalType":"uuid"})", R"("string")"));
}

TEST(Compatibility, Unions) {
  EXPECT_TRUE(reads(R"(["null","string"])", R"("string")"));
  EXPECT_FALSE(reads(R"("string")", R"(["null","string"])"));
  EXPECT_TRUE(reads(R"(["null","long"])", R"(["null","int"])"));
  EXPECT_FALSE(reads(R"(["null","int"])", R"(["null","int","string"])"));
}

TEST(Compatibility, EnumsArraysMapsFixedAndAliases) {
  const char* e2 = R"({"type":"enum","name":"S","symbols":["A","B"]})";
  const char* e3 = R"({"type":"enum","name":"S","symbols":["A","B","C"]})";
  EXPECT_TRUE(reads(e3, e2));
  EXPECT_FALSE(reads(e2, e3));
  EXPECT_TRUE(reads(R"({"type":"enum","name":"S","symbols":["A","B"],"default":"A"})", e3));
  EXPECT_TRUE(reads(R"({"type":"array","items":"long"})", R"({"type":"array","items":"int"})"));
  EXPECT_FALSE(reads(R"({"type":"map","values":"int"})", R"({"type":"map","values":"string"})"));
  EXPECT_FALSE(reads(R"({"type":"fixed","name":"F","size":4})", R"({"type":"fixed","name":"F","size":8})"));
  EXPECT_TRUE(reads(R"({"type":"record","name":"New","aliases":["Old"],"fields":[{"name":"n","aliases":["m"],"type":"int"}]})",
                    R"({"type":"record","name":"Old","fields":[{"name":"m","type":"int"}]})"));
  EXPECT_FALSE(reads(R"({"type":"record","name":"New","fields":[]})", R"({"type":"record","name":"Old","fields":[]})"));
}

TEST(Compatibility, RecursiveTypesTerminate) {
  const char* list = R"({"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]})";
  const char* wider = R"({"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]}]})";
  EXPECT_TRUE(reads(wider, list));
  EXPECT_FALSE(reads(list, wider));
}

TEST(Compatibility, Levels) {
  using L = compatibility_level;
  EXPECT_FALSE(incompatibility(L::backward, v2_default, {v1}));
  EXPECT_TRUE(incompatibility(L::backward, v2_no_default, {v1}));
  EXPECT_FALSE(incompatibility(L::forward, v2_no_default, {v1}));  // the old reader skips age
  EXPECT_TRUE(incompatibility(L::full, v2_no_default, {v1}));
  EXPECT_FALSE(incompatibility(L::none, R"("int")", {v1}));
  // Transitive levels look at every version, the others only at the latest.
  EXPECT_FALSE(incompatibility(L::backward, v1, {v2_no_default, v2_default}));
  EXPECT_TRUE(incompatibility(L::backward_transitive, R"({"type":"record","name":"User","namespace":"a","fields":[]})",
                              {R"("int")", v1}));
  EXPECT_EQ(parse_compatibility_level("FULL_TRANSITIVE"), L::full_transitive);
  EXPECT_EQ(parse_compatibility_level("full"), std::nullopt);
  EXPECT_EQ(level_name(L::backward), "BACKWARD");
}

}  // namespace
}  // namespace tributary::schema_registry
