#include "registry/lookups.h"

#include "registry/admission_filter.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "registry/tests/test_support.h"

namespace tributary::registry {
namespace {

using testing::json;

class LookupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& m = registry_.management();
    ASSERT_TRUE(m.create_tenant(std::string("t"), json(R"({"defaults": {"ttl": 30, "content-type": "text/plain"}})")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("4711"), json(R"({"defaults": {"content-type": "application/vnd.bumlux"}})")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("gw-1"), json(R"({"memberOf": ["g"]})")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("4712"), json(R"({"via": ["gw-1"]})")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("grouped"), json(R"({"viaGroups": ["g"]})")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("gw-2"), json("{}")).ok());
    ASSERT_TRUE(m.create_device("t", std::string("off"), json(R"({"enabled": false, "via": ["gw-1"]})")).ok());
    set_password("4711", "sensor1", "hono-secret");
  }

  void set_password(const std::string& device, const std::string& auth_id, const std::string& password) {
    boost::json::array body{boost::json::object{{"type", "hashed-password"}, {"auth-id", auth_id},
                                                {"secrets", boost::json::array{boost::json::object{{"pwd-plain", password}}}}}};
    ASSERT_TRUE(registry_.management().update_credentials("t", device, body, std::nullopt).ok());
  }

  testing::temp_registry registry_;
  boost::asio::thread_pool pool_{2};
  lookups lookups_{registry_.store(), registry_.events(), pool_, lookup_options{}};
};

TEST_F(LookupsTest, PasswordAuthentication) {
  auto ok = lookups_.authenticate_password("t", "sensor1", "hono-secret");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->device_id, "4711");
  EXPECT_EQ(ok->tenant_id, "t");
  // Cached now: the same answers again, both ways.
  EXPECT_TRUE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  EXPECT_EQ(lookups_.authenticate_password("t", "sensor1", "wrong").error().code, registry_errc::unauthorized);
  EXPECT_EQ(lookups_.authenticate_password("t", "sensor1", "wrong").error().code, registry_errc::unauthorized);
  EXPECT_EQ(lookups_.authenticate_password("t", "nobody", "hono-secret").error().code, registry_errc::unauthorized);
  EXPECT_EQ(lookups_.authenticate_password("nope", "sensor1", "hono-secret").error().code, registry_errc::unauthorized);
}

TEST_F(LookupsTest, ChangedPasswordTakesEffectAtOnce) {
  ASSERT_TRUE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  set_password("4711", "sensor1", "new-secret");
  EXPECT_FALSE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  EXPECT_TRUE(lookups_.authenticate_password("t", "sensor1", "new-secret").ok());
}

TEST_F(LookupsTest, DisabledAndExpiredSecretsDoNotAuthenticate) {
  ASSERT_TRUE(registry_.management().update_credentials("t", "4711", json(R"([
      {"type": "hashed-password", "auth-id": "sensor1", "enabled": false, "secrets": [{"pwd-plain": "a"}]},
      {"type": "hashed-password", "auth-id": "old", "secrets": [{"pwd-plain": "b", "not-after": "2020-01-01T00:00:00Z"}]},
      {"type": "hashed-password", "auth-id": "sha", "secrets": [{"hash-function": "sha-256",
        "pwd-hash": "vt6QOG1FDOqLd7gi+IhwZeTlq/Eywvncz8x/vUy6XjU=", "salt": "c2FsdA=="}]}])"), std::nullopt).ok());
  EXPECT_EQ(lookups_.authenticate_password("t", "sensor1", "a").error().code, registry_errc::unauthorized);
  EXPECT_EQ(lookups_.authenticate_password("t", "old", "b").error().code, registry_errc::unauthorized);
  // sha-256 of "salt" + "secret", Base64 (printf 'saltsecret' | openssl dgst -sha256 -binary | base64).
  EXPECT_TRUE(lookups_.authenticate_password("t", "sha", "secret").ok());
}

TEST_F(LookupsTest, RegistrationAssertions) {
  auto a = lookups_.assert_registration("t", "4711", std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->device->defaults.at("content-type"), "application/vnd.bumlux");
  EXPECT_FALSE(a->gateway);
  EXPECT_EQ(a->defaults->at("content-type"), "application/vnd.bumlux");  // the device's wins
  EXPECT_EQ(a->defaults->at("ttl"), 30);                                  // the tenant's fills in

  auto via = lookups_.assert_registration("t", "4712", std::string("gw-1"));
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->gateway->member_of, std::vector<std::string>{"g"});
  EXPECT_EQ(via->device->via, std::vector<std::string>{"gw-1"});
  // A device without defaults of its own gets the tenant's, not a copy of them.
  EXPECT_EQ(via->defaults.get(), &(*lookups_.tenant("t"))->defaults);
  EXPECT_EQ(via->defaults->at("content-type"), "text/plain");
  EXPECT_TRUE(lookups_.assert_registration("t", "grouped", std::string("gw-1")).ok());
  EXPECT_EQ(lookups_.assert_registration("t", "4712", std::string("gw-2")).error().code, registry_errc::forbidden);
  EXPECT_EQ(lookups_.assert_registration("t", "4712", std::string("ghost")).error().code, registry_errc::forbidden);
  EXPECT_EQ(lookups_.assert_registration("t", "off", std::nullopt).error().code, registry_errc::not_found);
  EXPECT_EQ(lookups_.assert_registration("t", "ghost", std::nullopt).error().code, registry_errc::not_found);
  EXPECT_EQ(lookups_.assert_registration("nope", "4711", std::nullopt).error().code, registry_errc::not_found);
}

TEST_F(LookupsTest, DeviceAnswersAreCachedFromTheirSecondLookupOn) {
  EXPECT_FALSE(lookups_.tenant_cached("t"));
  EXPECT_FALSE(lookups_.assert_registration_cached("t", "4711", std::nullopt));
  EXPECT_FALSE(lookups_.authenticate_cached("t", "sensor1", "hono-secret"));
  ASSERT_TRUE(lookups_.assert_registration("t", "4711", std::nullopt).ok());
  ASSERT_TRUE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  // A tenant is cached at once; a device's registration and credentials only once asked for again
  // (a device that connects and then stays quiet costs no cache entry).
  ASSERT_TRUE(lookups_.tenant_cached("t"));
  EXPECT_FALSE(lookups_.assert_registration_cached("t", "4711", std::nullopt));
  EXPECT_FALSE(lookups_.authenticate_cached("t", "sensor1", "hono-secret"));
  ASSERT_TRUE(lookups_.assert_registration("t", "4711", std::nullopt).ok());
  ASSERT_TRUE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  EXPECT_EQ((*lookups_.tenant_cached("t"))->id, "t");
  const auto a = lookups_.assert_registration_cached("t", "4711", std::nullopt);
  ASSERT_TRUE(a && a->ok());
  EXPECT_EQ((*a)->defaults->at("content-type"), "application/vnd.bumlux");
  const auto auth = lookups_.authenticate_cached("t", "sensor1", "hono-secret");
  ASSERT_TRUE(auth && auth->ok());
  EXPECT_EQ((*auth)->device_id, "4711");
  // A password never tried needs a bcrypt run; once tried, its outcome is remembered.
  EXPECT_FALSE(lookups_.authenticate_cached("t", "sensor1", "wrong"));
  ASSERT_FALSE(lookups_.authenticate_password("t", "sensor1", "wrong").ok());
  const auto wrong = lookups_.authenticate_cached("t", "sensor1", "wrong");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->error().code, registry_errc::unauthorized);
}

TEST_F(LookupsTest, ChangesInvalidateCachedAnswers) {
  for (int sight = 0; sight < 2; ++sight) {  // cached from the second on
    ASSERT_TRUE(lookups_.assert_registration("t", "4712", std::string("gw-1")).ok());
    ASSERT_TRUE(lookups_.assert_registration("t", "4711", std::nullopt).ok());
    ASSERT_TRUE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
  }
  ASSERT_TRUE(lookups_.assert_registration_cached("t", "4712", std::string("gw-1")));
  ASSERT_TRUE(lookups_.authenticate_cached("t", "sensor1", "hono-secret"));
  ASSERT_TRUE(registry_.management().update_device("t", "gw-1", json(R"({"enabled": false})"), std::nullopt).ok());
  EXPECT_EQ(lookups_.assert_registration("t", "4712", std::string("gw-1")).error().code, registry_errc::forbidden);
  ASSERT_TRUE((*lookups_.tenant("t"))->enabled);
  ASSERT_TRUE(registry_.management().update_tenant("t", json(R"({"enabled": false})"), std::nullopt).ok());
  EXPECT_FALSE((*lookups_.tenant("t"))->enabled);
  ASSERT_TRUE(registry_.management().delete_device("t", "4711", std::nullopt).ok());
  EXPECT_EQ(lookups_.assert_registration("t", "4711", std::nullopt).error().code, registry_errc::not_found);
  EXPECT_FALSE(lookups_.authenticate_password("t", "sensor1", "hono-secret").ok());
}

TEST_F(LookupsTest, DevicesWithoutRelationsOrDefaultsShareOneCachedObject) {
  ASSERT_TRUE(registry_.management().create_device("t", std::string("plain-2"), json(R"({"ext": {"k": "v"}})")).ok());
  ASSERT_TRUE(registry_.management().create_device("t", std::string("plain-off"), json(R"({"enabled": false})")).ok());
  const auto gw2 = lookups_.assert_registration("t", "gw-2", std::nullopt);
  const auto plain2 = lookups_.assert_registration("t", "plain-2", std::nullopt);
  ASSERT_TRUE(gw2.ok() && plain2.ok());
  EXPECT_EQ(gw2->device, device_info::plain(true));
  EXPECT_EQ(plain2->device, device_info::plain(true));
  // ... through pointers that own nothing: copies of them count no references (use_count 0).
  EXPECT_EQ(plain2->device.use_count(), 0);
  EXPECT_FALSE(device_info::plain(false)->enabled);
  EXPECT_EQ(device_info::plain(false).use_count(), 0);
  EXPECT_EQ(lookups_.assert_registration("t", "plain-off", std::nullopt).error().code, registry_errc::not_found);
  // Shared, yet each device's own: one gaining a relation gets its own object, the other keeps the shared one.
  ASSERT_TRUE(registry_.management().update_device("t", "gw-2", json(R"({"memberOf": ["g"]})"), std::nullopt).ok());
  const auto changed = lookups_.assert_registration("t", "gw-2", std::nullopt);
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->device, device_info::plain(true));
  EXPECT_EQ(changed->device->member_of, std::vector<std::string>{"g"});
  EXPECT_EQ(lookups_.assert_registration("t", "plain-2", std::nullopt)->device, device_info::plain(true));
  EXPECT_TRUE(lookups_.assert_registration("t", "grouped", std::string("gw-2")).ok());
  // The other way: a plain gateway is authorised by the device's via alone.
  ASSERT_TRUE(registry_.management().update_device("t", "plain-off", json(R"({"via": ["plain-2"]})"), std::nullopt).ok());
  EXPECT_TRUE(lookups_.assert_registration("t", "plain-off", std::string("plain-2")).ok());
  EXPECT_EQ(lookups_.assert_registration("t", "plain-off", std::string("gw-2")).error().code, registry_errc::forbidden);
}

TEST(AdmissionFilter, AdmitsAKeyOnItsSecondSight) {
  admission_filter door(1000);
  const std::hash<std::string> hash;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(door.admit(hash("key-" + std::to_string(i)))) << i;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(door.admit(hash("key-" + std::to_string(i)))) << i;
}

TEST(AdmissionFilter, FalsePositivesStayRareUpToItsCapacity) {
  admission_filter door(10000);
  const std::hash<std::string> hash;
  for (int i = 0; i < 9000; ++i) door.admit(hash("seen-" + std::to_string(i)));
  int admitted_unseen = 0;
  for (int i = 0; i < 1000; ++i) admitted_unseen += door.admit(hash("new-" + std::to_string(i)));
  EXPECT_LT(admitted_unseen, 100);  // 8 bits and 3 probes per key: about 3% at capacity
}

TEST(AdmissionFilter, ForgetsEverythingOnceItMarkedItsCapacity) {
  admission_filter door(100);
  const std::hash<std::string> hash;
  EXPECT_FALSE(door.admit(hash("first")));
  EXPECT_TRUE(door.admit(hash("first")));
  // Over 100 more keys marked: it started over on the way, so "first" is new again.
  for (int i = 0; i < 120; ++i) door.admit(hash("filler-" + std::to_string(i)));
  EXPECT_FALSE(door.admit(hash("first")));
  EXPECT_TRUE(door.admit(hash("first")));
}

TEST_F(LookupsTest, TenantByAliasAndTrustedCa) {
  ASSERT_TRUE(registry_.management().create_tenant(std::string("aliased"), json(R"({"alias": "short", "trusted-ca": [{
      "subject-dn": "CN=ca", "public-key": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAES4ZOxheQwKvRFPrgv67EgKNX56khRMKvvmy3Vw5QwmueDkrAq2M0Ii9VPfGEaR8+wsqMiEKaHSFlbCCgUCwvZg=="}]})")).ok());
  EXPECT_EQ((*lookups_.tenant_by_alias("short"))->id, "aliased");
  EXPECT_EQ(lookups_.tenant_by_alias("long").error().code, registry_errc::not_found);
  auto by_ca = lookups_.tenants_by_trusted_ca("CN=ca");
  ASSERT_TRUE(by_ca.ok());
  ASSERT_EQ(by_ca->size(), 1u);
  EXPECT_EQ(by_ca->front()->id, "aliased");
}

TEST_F(LookupsTest, AsyncLookupsAnswerOnTheCallersExecutor) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<bool> {
        auto first = co_await lookups_.async_authenticate_password("t", "sensor1", "hono-secret");  // bcrypt on the pool
        auto second = co_await lookups_.async_authenticate_password("t", "sensor1", "hono-secret");  // inline
        auto wrong = co_await lookups_.async_authenticate_password("t", "sensor1", "nope");
        auto assertion = co_await lookups_.async_assert_registration("t", "4712", std::string("gw-1"));
        auto tenant = co_await lookups_.async_tenant("t");
        co_return first.ok() && second.ok() && !wrong.ok() && assertion.ok() && tenant.ok();
      },
      boost::asio::use_future);
  io.run();
  EXPECT_TRUE(future.get());
}

}  // namespace
}  // namespace tributary::registry
