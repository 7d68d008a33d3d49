#include "registry/documents.h"

#include <gtest/gtest.h>

#include "registry/tests/test_support.h"

namespace tributary::registry {
namespace {

using testing::json;

constexpr const char* ec_key =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAES4ZOxheQwKvRFPrgv67EgKNX56khRMKvvmy3Vw5QwmueDkrAq2M0Ii9VPfGEaR8+wsqMiEKaHSFlbCCgUCwvZg==";

registry_errc tenant_error(const std::string& body) {
  auto r = parse_tenant(json(body.c_str()));
  return r ? registry_errc{} : r.error().code;
}

TEST(ParseTenant, DefaultsAndNormalisation) {
  auto t = parse_tenant(json(("{\"trusted-ca\": [{\"subject-dn\": \"CN=x\", \"public-key\": \"" + std::string(ec_key) + "\"}]}").c_str()));
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->doc.at("enabled"), true);
  const auto& ca = t->doc.at("trusted-ca").as_array()[0].as_object();
  EXPECT_EQ(ca.at("algorithm"), "EC");
  EXPECT_EQ(ca.at("id").as_string().size(), 36u);
  EXPECT_EQ(t->trusted_ca_subjects, std::vector<std::string>{"CN=x"});
}

TEST(ParseTenant, RejectsUnknownPropertiesAtEveryLevel) {
  EXPECT_EQ(tenant_error(R"({"bogus": 1})"), registry_errc::bad_request);
  EXPECT_EQ(tenant_error(R"({"adapters": [{"type": "hono-mqtt", "bogus": 1}]})"), registry_errc::bad_request);
  EXPECT_EQ(tenant_error(R"({"resource-limits": {"bogus": 1}})"), registry_errc::bad_request);
  EXPECT_EQ(tenant_error(R"({"resource-limits": {"data-volume": {"bogus": 1}}})"), registry_errc::bad_request);
  EXPECT_EQ(tenant_error(R"({"tracing": {"bogus": 1}})"), registry_errc::bad_request);
  // Free-form objects accept anything.
  EXPECT_EQ(tenant_error(R"({"ext": {"anything": [1]}, "defaults": {"x": {}}})"), registry_errc{});
}

TEST(ParseTenant, RejectsBadValues) {
  for (const char* body : {R"([])", R"({"enabled": "yes"})", R"({"alias": "Upper"})", R"({"adapters": []})",
                           R"({"adapters": [{"type": "hono-mqtt"}, {"type": "hono-mqtt"}]})", R"({"adapters": [{}]})",
                           R"({"minimum-message-size": -1})", R"({"resource-limits": {"max-connections": -2}})",
                           R"({"resource-limits": {"data-volume": {"period": {"mode": "weekly"}}}})",
                           R"({"resource-limits": {"data-volume": {"period": {"mode": "days"}}}})",
                           R"({"resource-limits": {"data-volume": {"effective-since": "yesterday"}}})",
                           R"({"tracing": {"sampling-mode": "some"}})", R"({"trusted-ca": [{"subject-dn": "CN=x"}]})",
                           R"({"trusted-ca": [{"subject-dn": "CN=x", "public-key": "bm90IGEga2V5"}]})",
                           R"({"trusted-ca": [{"cert": "!!"}]})"}) {
    EXPECT_EQ(tenant_error(body), registry_errc::bad_request) << body;
  }
  const std::string dup = std::string(R"({"trusted-ca": [{"id": "a", "subject-dn": "CN=x", "public-key": ")") + ec_key +
                          R"("}, {"id": "a", "subject-dn": "CN=y", "public-key": ")" + ec_key + R"("}]})";
  EXPECT_EQ(tenant_error(dup), registry_errc::bad_request);
}

TEST(ParseDevice, ValidatesAndDropsStatus) {
  auto d = parse_device(json(R"({"via": ["gw-1"], "status": {"created": "x"}, "ext": {"a": 1}})"));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->contains("status"));
  EXPECT_EQ(d->at("enabled"), true);
  for (const char* body : {R"({"bogus": 1})", R"({"via": "gw-1"})", R"({"via": ["a b"]})",
                           R"({"via": ["gw"], "memberOf": ["g"]})", R"({"authorities": ["root"]})",
                           R"({"command-endpoint": {}})", R"({"mapper": "m"})"}) {
    EXPECT_FALSE(parse_device(json(body)).ok()) << body;
  }
  EXPECT_TRUE(parse_device(json(R"({"via": [], "memberOf": ["g"]})")).ok());
}

registry_result<std::vector<credential_record>> credentials(const char* body) {
  return parse_credentials(json(body), {}, credentials_options{4, 10});
}

TEST(ParseCredentials, HashesPlainPasswordsAndStripsThemOnOutput) {
  auto c = credentials(R"([{"type": "hashed-password", "auth-id": "sensor1", "secrets": [{"pwd-plain": "hono-secret"}]}])");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& secret = c->at(0).doc.at("secrets").as_array()[0].as_object();
  EXPECT_FALSE(secret.contains("pwd-plain"));
  EXPECT_EQ(secret.at("hash-function"), "bcrypt");
  EXPECT_TRUE(secret.at("pwd-hash").as_string().starts_with("$2"));
  const auto shown = public_credentials(*c);
  const auto& public_secret = shown[0].at("secrets").as_array()[0].as_object();
  EXPECT_EQ(public_secret.size(), 1u);  // just the id
  EXPECT_TRUE(public_secret.contains("id"));
}

TEST(ParseCredentials, RejectsMalformedCredentials) {
  for (const char* body : {
           R"({})", R"([{"auth-id": "a", "secrets": [{"pwd-plain": "x"}]}])",
           R"([{"type": "hashed-password", "secrets": [{"pwd-plain": "x"}]}])",
           R"([{"type": "hashed-password", "auth-id": "#illegal", "secrets": [{"pwd-plain": "x"}]}])",
           R"([{"type": "hashed-password", "auth-id": "a", "secrets": []}])",
           R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{"pwd-plain": "x", "bogus": 1}]}])",
           R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{}]}])",
           R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{"pwd-hash": "abc"}]}])",
           R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{"hash-function": "md5", "pwd-hash": "abc"}]}])",
           R"([{"type": "hashed-password", "auth-id": "a", "bogus": true, "secrets": [{"pwd-plain": "x"}]}])",
           R"([{"type": "psk", "auth-id": "a", "secrets": [{"key": "not base64!"}]}])",
           R"([{"type": "rpk", "auth-id": "a", "secrets": [{"key": "bm90IGEga2V5"}]}])",
           R"([{"type": "x509-cert", "auth-id": "CN=a", "secrets": [{}, {}]}])",
           R"([{"type": "Bad_Type", "auth-id": "a", "secrets": [{}]}])",
           R"([{"type": "psk", "auth-id": "a", "secrets": [{"key": "a2V5"}]}, {"type": "psk", "auth-id": "a", "secrets": [{"key": "a2V5"}]}])",
           R"([{"type": "psk", "auth-id": "a", "secrets": [{"key": "a2V5", "not-before": "2021-01-01T00:00:00Z", "not-after": "2020-01-01T00:00:00Z"}]}])",
       }) {
    auto r = credentials(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, registry_errc::bad_request) << body;
  }
}

TEST(ParseCredentials, BcryptCostAboveTheMaximumIsRejected) {
  auto r = credentials(R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{"hash-function": "bcrypt",
      "pwd-hash": "$2a$12$abcdefghijklmnopqrstuu5Ky9jYBIf6BpgsUKUR3WLu4S3ZHGZNe"}]}])");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("maximum"), std::string::npos);
}

TEST(ParseCredentials, GenericTypesKeepExtensionProperties) {
  auto c = credentials(R"([{"type": "my-type", "auth-id": "x", "client-id": "c1", "secrets": [{"foo": "bar"}]}])");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto shown = public_credentials(*c);
  EXPECT_EQ(shown[0].at("client-id"), "c1");
  EXPECT_EQ(shown[0].at("secrets").as_array()[0].at("foo"), "bar");
}

TEST(ParseCredentials, MessagesNeverContainSecrets) {
  auto r = credentials(R"([{"type": "hashed-password", "auth-id": "a", "secrets": [{"hash-function": "sha-256",
      "pwd-hash": "TOPSECRETVALUE", "salt": "c2FsdA=="}]}])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("TOPSECRET"), std::string::npos);
}

}  // namespace
}  // namespace tributary::registry
