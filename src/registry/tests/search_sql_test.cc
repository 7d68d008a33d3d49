#include "registry/search_sql.h"

#include <gtest/gtest.h>

namespace tributary::registry {
namespace {

TEST(JsonPointerToPath, NestedMembersAreQuoted) {
  EXPECT_EQ(*json_pointer_to_path("/ext/brand"), R"($."ext"."brand")");
  EXPECT_EQ(*json_pointer_to_path("/enabled"), R"($."enabled")");
}

TEST(JsonPointerToPath, NumericTokensIndexArrays) { EXPECT_EQ(*json_pointer_to_path("/via/0"), R"($."via"[0])"); }

TEST(JsonPointerToPath, EscapesAreDecoded) {
  EXPECT_EQ(*json_pointer_to_path("/a~1b/c~0d"), R"($."a/b"."c~d")");
}

TEST(JsonPointerToPath, RejectsWhatIsNotAPointer) {
  EXPECT_EQ(json_pointer_to_path("ext/brand").error().code, registry_errc::bad_request);
  EXPECT_EQ(json_pointer_to_path("").error().code, registry_errc::bad_request);
  EXPECT_FALSE(json_pointer_to_path("/a~2").ok());
  EXPECT_FALSE(json_pointer_to_path("/a~").ok());
  EXPECT_FALSE(json_pointer_to_path("/a\"b").ok());
}

TEST(WildcardToGlob, KeepsHonoWildcardsAndEscapesBrackets) {
  EXPECT_EQ(wildcard_to_glob("dev-*-?"), "dev-*-?");
  EXPECT_EQ(wildcard_to_glob("a[1]"), "a[[]1]");
}

TEST(TranslateSearch, FiltersBindPathsAndValuesNeverSplicingThem) {
  search_query q;
  q.filters.push_back({"/ext/brand'; DROP TABLE devices; --", boost::json::value("x*")});
  q.filters.push_back({"/enabled", boost::json::value(true)});
  q.filters.push_back({"/ext/n", boost::json::value(3)});
  auto c = translate_search(q, "d", "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->where.find("DROP"), std::string::npos);
  // Each filter binds its path twice (type check, value) and then the value.
  ASSERT_EQ(c->where_binds.size(), 9u);
  EXPECT_EQ(c->where_binds[2], boost::json::value("x*"));
  EXPECT_EQ(c->where_binds[5], boost::json::value(std::int64_t{1}));
  EXPECT_EQ(c->where_binds[8], boost::json::value(3));
}

TEST(TranslateSearch, IdFilterUsesTheColumn) {
  search_query q;
  q.filters.push_back({"/id", boost::json::value("gw-*")});
  auto c = translate_search(q, "d", "");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->where.find("d.id GLOB ?"), std::string::npos);
  ASSERT_EQ(c->where_binds.size(), 1u);
}

TEST(TranslateSearch, SortAddsIdAsTieBreaker) {
  search_query q;
  q.sort.push_back({"/ext/rank", true});
  auto c = translate_search(q, "t", "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->order_by, " ORDER BY json_extract(t.doc, ?) DESC, t.id ASC");
  ASSERT_EQ(c->order_binds.size(), 1u);
}

TEST(TranslateSearch, IsGatewayIgnoresFilters) {
  search_query q;
  q.is_gateway = false;
  q.filters.push_back({"/enabled", boost::json::value(true)});
  auto c = translate_search(q, "d", "SELECT 'gw'");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->where.find("NOT (d.id IN (SELECT 'gw')"), std::string::npos);
  EXPECT_TRUE(c->where_binds.empty());
}

TEST(TranslateSearch, RejectsNonScalarFilterValues) {
  search_query q;
  q.filters.push_back({"/ext", boost::json::value(boost::json::object{})});
  EXPECT_EQ(translate_search(q, "d", "").error().code, registry_errc::bad_request);
}

}  // namespace
}  // namespace tributary::registry
