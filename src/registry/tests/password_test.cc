#include "registry/password.h"

#include <gtest/gtest.h>

#include <string>

namespace tributary::registry {
namespace {

using namespace std::string_literals;

constexpr int kMaxCost = 10;  // Hono's default maximum bcrypt cost factor

password_hash bcrypt_hash(std::string hash) { return {"bcrypt", std::move(hash), {}}; }

// Expects parse_hash to fail with `code`, and its message to quote neither hash nor salt.
void expect_rejected(std::string_view function, std::string_view hash, std::optional<std::string_view> salt,
                     password_error code) {
  auto parsed = parse_hash(function, hash, salt, kMaxCost);
  ASSERT_FALSE(parsed) << function << " " << hash;
  EXPECT_EQ(parsed.error().code, code) << function << " " << hash << ": " << parsed.error().message;
  if (!hash.empty()) {
    EXPECT_EQ(parsed.error().message.find(hash), std::string::npos) << "never echo a hash";
  }
  if (salt && !salt->empty()) {
    EXPECT_EQ(parsed.error().message.find(*salt), std::string::npos) << "never echo a salt";
  }
}

// Published crypt_blowfish / OpenBSD test vectors (crypt_blowfish wrapper.c); every one was run
// against libxcrypt before being pasted here.
TEST(PasswordBcrypt, PublishedVectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
      {"U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"},
      {"", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"},
      {"\xff\xa3"
       "345",
       "$2a$05$/OK.fbVrR/bpIqNJ5ianF.nRht2l/HRhr6zmCp9vYUvvsqynflf9e"},
      {"\xa3", "$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"},
      {"\xa3", "$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"},
      {"\xa3", "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq"},
      {"U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
      {"U*U", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
  };
  for (const auto& [password, hash] : cases) {
    auto parsed = parse_hash("bcrypt", hash, std::nullopt, kMaxCost);
    ASSERT_TRUE(parsed) << hash << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, bcrypt_hash(hash));
    EXPECT_TRUE(verify(*parsed, password)) << hash;
    EXPECT_FALSE(verify(*parsed, password + "x")) << hash;
  }
}

// bcrypt reads at most 72 bytes of the password (the crypt_blowfish vector for that, and the reason
// two passwords that differ only after byte 72 both match).
TEST(PasswordBcrypt, OnlyTheFirst72BytesCount) {
  const std::string first72 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  ASSERT_EQ(first72.size(), 72u);
  const auto stored = bcrypt_hash("$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui");
  EXPECT_TRUE(verify(stored, first72 + "chars after 72 are ignored"));
  EXPECT_TRUE(verify(stored, first72));
  EXPECT_FALSE(verify(stored, first72.substr(0, 71)));
}

// Hono's example registry (demo device sensor1) and its management API documentation (sensor10).
TEST(PasswordBcrypt, HonoExamples) {
  auto demo =
      parse_hash("bcrypt", "$2a$10$N7UMjhZ2hYx.yuvW9WVXZ.4y33mr6MvnpAsZ8wgLHnkamH2tZ1jD.", std::nullopt, kMaxCost);
  ASSERT_TRUE(demo);
  EXPECT_TRUE(verify(*demo, "hono-secret"));
  EXPECT_FALSE(verify(*demo, "hono-secreT"));
  EXPECT_FALSE(verify(*demo, "hono-secret "));
  EXPECT_FALSE(verify(*demo, ""));
  const auto docs = bcrypt_hash("$2a$10$uc.qVDwXeDRE1DWa1sM9iOaY9wuevjfALGMtXmHKP.SJDEqg0q7M6");
  EXPECT_TRUE(verify(docs, "mylittlesecret"));
  EXPECT_FALSE(verify(docs, "hono-secret"));
}

TEST(PasswordBcrypt, PasswordWithNulNeverMatchesItsPrefix) {
  const auto stored = bcrypt_hash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW");  // "U*U"
  EXPECT_TRUE(verify(stored, "U*U"));
  EXPECT_FALSE(verify(stored, "U*U\0tail"s));
  auto hashed = hash_plain("a\0b"s, 4);
  ASSERT_FALSE(hashed);
  EXPECT_EQ(hashed.error().code, password_error::malformed);
}

TEST(PasswordBcrypt, Cost) {
  EXPECT_EQ(bcrypt_cost("$2a$10$N7UMjhZ2hYx.yuvW9WVXZ.4y33mr6MvnpAsZ8wgLHnkamH2tZ1jD."), 10);
  EXPECT_EQ(bcrypt_cost("$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), 5);
  EXPECT_EQ(bcrypt_cost("$2y$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), 31);
  EXPECT_EQ(bcrypt_cost("$2a$04$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), 4);
  for (const char* not_bcrypt : {
           "",
           "$2a$10$",
           "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // crypt_blowfish's buggy variant
           "$2$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWx",   // pre-2a
           "$2A$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // minor letter is lower case
           "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // cost below 4
           "$2a$32$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // cost above 31
           "$2a$5$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWx",   // one-digit cost
           "$2a$0x$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // cost not a number
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",    // 52 characters
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWW",  // 54 characters
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC+E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // '+' is not bcrypt Base64
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC=E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe ",
           "$2a$05CCCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",   // missing '$' after the cost
           "$1$05$CCCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
           "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=",
       }) {
    EXPECT_EQ(bcrypt_cost(not_bcrypt), std::nullopt) << not_bcrypt;
  }
}

TEST(PasswordBcrypt, ParseRejectsMalformedStrings) {
  for (const char* hash : {
           "",
           "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
           "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",
           "$2a$05$CCCCCCCCCCCCCCCCCCCCC+E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
           "{bcrypt}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
       }) {
    expect_rejected("bcrypt", hash, std::nullopt, password_error::malformed);
  }
  // A cost above 31 is not bcrypt at all, whatever the configured maximum.
  expect_rejected("bcrypt", "$2a$99$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", std::nullopt,
                  password_error::malformed);
}

TEST(PasswordBcrypt, ParseRejectsASeparateSalt) {
  expect_rejected("bcrypt", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "ij8AxxH+WwI=",
                  password_error::malformed);
  // An empty salt is no salt (Hono treats null and "" alike).
  EXPECT_TRUE(parse_hash("bcrypt", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "", kMaxCost));
}

TEST(PasswordBcrypt, ParseRejectsCostAboveTheMaximum) {
  const std::string cost11 = "$2a$11$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  expect_rejected("bcrypt", cost11, std::nullopt, password_error::too_costly);
  EXPECT_TRUE(parse_hash("bcrypt", cost11, std::nullopt, 11));
  EXPECT_TRUE(parse_hash("bcrypt", "$2a$10$N7UMjhZ2hYx.yuvW9WVXZ.4y33mr6MvnpAsZ8wgLHnkamH2tZ1jD.", std::nullopt, 10));
  auto parsed = parse_hash("bcrypt", "$2y$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", std::nullopt, 12);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, password_error::too_costly);
  EXPECT_NE(parsed.error().message.find("31"), std::string::npos) << parsed.error().message;
}

TEST(PasswordBcrypt, MalformedStoredHashNeverMatches) {
  EXPECT_FALSE(verify(bcrypt_hash(""), ""));
  EXPECT_FALSE(verify(bcrypt_hash("$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"), "U*U"));
  // A setting without the hash part: crypt would happily hash with it; verify must not match.
  EXPECT_FALSE(verify(bcrypt_hash("$2a$05$CCCCCCCCCCCCCCCCCCCCC."), "U*U"));
  // One flipped character of the hash part.
  EXPECT_FALSE(verify(bcrypt_hash("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeX"), "U*U"));
}

TEST(PasswordBcrypt, HashPlainRoundTrip) {
  auto hashed = hash_plain("hono-secret", 4);
  ASSERT_TRUE(hashed) << hashed.error().message;
  EXPECT_EQ(hashed->function, "bcrypt");
  EXPECT_EQ(hashed->salt, "");
  EXPECT_EQ(hashed->hash.substr(0, 7), "$2a$04$");
  EXPECT_EQ(bcrypt_cost(hashed->hash), 4);
  EXPECT_TRUE(verify(*hashed, "hono-secret"));
  EXPECT_FALSE(verify(*hashed, "hono-secret2"));
  auto reparsed = parse_hash(hashed->function, hashed->hash, std::nullopt, kMaxCost);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, *hashed);
}

TEST(PasswordBcrypt, HashPlainDrawsAFreshSaltEachTime) {
  auto first = hash_plain("same password", 4);
  auto second = hash_plain("same password", 4);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  // "$2a$04$" then 22 characters of salt.
  EXPECT_NE(first->hash.substr(7, 22), second->hash.substr(7, 22));
  EXPECT_NE(first->hash, second->hash);
  EXPECT_TRUE(verify(*first, "same password"));
  EXPECT_TRUE(verify(*second, "same password"));
}

TEST(PasswordBcrypt, HashPlainHandlesEmptyAndLongUtf8Passwords) {
  for (const std::string& password : {""s, "p\xc3\xa4ssw\xc3\xb6rd"s, std::string(100, 'z')}) {
    auto hashed = hash_plain(password, 4);
    ASSERT_TRUE(hashed) << hashed.error().message;
    EXPECT_TRUE(verify(*hashed, password));
  }
}

TEST(PasswordBcrypt, HashPlainRejectsCostOutsideBcryptsRange) {
  for (int cost : {-1, 0, 3, 32}) {
    auto hashed = hash_plain("pwd", cost);
    ASSERT_FALSE(hashed) << cost;
    EXPECT_EQ(hashed.error().code, password_error::malformed);
  }
}

// Expected values computed independently:
//   printf '\x8a\x3f\x00\xc7\x11\xfe\x5b\x02hono-secret' | openssl dgst -sha256 -binary | base64
//   printf 'hono-secret' | openssl dgst -sha512 -binary | base64 -w0
// salt ij8AxxH+WwI= is the Base64 of those 8 bytes (with a NUL among them).
constexpr const char* kSalt = "ij8AxxH+WwI=";

TEST(PasswordSha, Sha256WithAndWithoutSalt) {
  auto salted = parse_hash("sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", kSalt, kMaxCost);
  ASSERT_TRUE(salted) << salted.error().message;
  EXPECT_EQ(*salted, (password_hash{"sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", kSalt}));
  EXPECT_TRUE(verify(*salted, "hono-secret"));
  EXPECT_FALSE(verify(*salted, "hono-secreu"));
  EXPECT_FALSE(verify(password_hash{"sha-256", salted->hash, {}}, "hono-secret")) << "the salt takes part";

  auto unsalted = parse_hash("sha-256", "1kkUGFVe8TyUi+9KxFPkOXRFU0drt2mO5xLRRrBOkHY=", std::nullopt, kMaxCost);
  ASSERT_TRUE(unsalted) << unsalted.error().message;
  EXPECT_EQ(unsalted->salt, "");
  EXPECT_TRUE(verify(*unsalted, "hono-secret"));
  EXPECT_FALSE(verify(*unsalted, ""));
  EXPECT_FALSE(verify(password_hash{"sha-512", unsalted->hash, {}}, "hono-secret")) << "the function takes part";
}

TEST(PasswordSha, Sha512WithAndWithoutSalt) {
  auto salted = parse_hash(
      "sha-512", "4CTPs2AwV9+loERjzDYLPwNWC8m+zEBvp51xMpGJKUdMqhbZNP//37+lbskX7aw99FyvAfhP/K7C9H8Apzgkbg==", kSalt,
      kMaxCost);
  ASSERT_TRUE(salted) << salted.error().message;
  EXPECT_TRUE(verify(*salted, "hono-secret"));
  EXPECT_FALSE(verify(*salted, "Hono-secret"));

  auto unsalted = parse_hash(
      "sha-512", "jZxT1LMIku7OjiOWEJqRiWrUxSwDy444S8xz9GLKvz9hoaOsxCjhUGtCJD4+cowTjzzvz2piN424BZLsFoWkSA==", "",
      kMaxCost);
  ASSERT_TRUE(unsalted) << unsalted.error().message;
  EXPECT_TRUE(verify(*unsalted, "hono-secret"));
  EXPECT_FALSE(verify(*unsalted, "hono-secret\0"s));
}

// Hono's management API documentation: sha-512 of "mylittlesecret" without salt.
TEST(PasswordSha, HonoDocumentationExample) {
  auto stored = parse_hash(
      "sha-512", "tnxz0zDFs+pJGdCVSuoPE4TnamXsfIjBEOb0rg3e9WFD9KfbCkoRuwVZKgRWInfqp87kCLsoV/HEwdJwgw793Q==",
      std::nullopt, kMaxCost);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(verify(*stored, "mylittlesecret"));
}

// The password is taken as UTF-8 bytes, as Hono's getBytes(UTF_8):
//   printf 'p\xc3\xa4ssw\xc3\xb6rd' | openssl dgst -sha256 -binary | base64
TEST(PasswordSha, Utf8Password) {
  const password_hash stored{"sha-256", "RpcL73Cs7YEj8NXQlHF+KlzUEgQeA7JjdgSf5lsoNKQ=", {}};
  EXPECT_TRUE(verify(stored, "p\xc3\xa4ssw\xc3\xb6rd"));
  EXPECT_TRUE(verify(stored, "pässwörd"));  // this file is UTF-8
  EXPECT_FALSE(verify(stored, "p\xe4ssw\xf6rd")) << "Latin-1 bytes are a different password";
}

// Salt bytes come first: hash(salt + password) is not hash(password + salt), and an empty password
// with the salt is the digest of the salt alone (printf '\x8a...\x02' | openssl dgst -sha256 ...).
TEST(PasswordSha, SaltComesFirst) {
  const password_hash salt_only{"sha-256", "9Ig9l9ogD/eAyowoKBzgSON5fcYaS1rW5lAg6V10oeU=", kSalt};
  EXPECT_TRUE(verify(salt_only, ""));
  EXPECT_FALSE(verify(salt_only, "x"));
}

TEST(PasswordSha, ParseRejectsDigestsOfTheWrongLength) {
  // A SHA-256 digest offered as SHA-512 and the other way round.
  expect_rejected("sha-512", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", std::nullopt, password_error::malformed);
  expect_rejected("sha-256",
                  "4CTPs2AwV9+loERjzDYLPwNWC8m+zEBvp51xMpGJKUdMqhbZNP//37+lbskX7aw99FyvAfhP/K7C9H8Apzgkbg==",
                  std::nullopt, password_error::malformed);
  expect_rejected("sha-256", "", std::nullopt, password_error::malformed);
  expect_rejected("sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnQ==", std::nullopt,
                  password_error::malformed);  // 31 bytes
  expect_rejected("sha-256", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", std::nullopt,
                  password_error::malformed);
}

TEST(PasswordSha, ParseRejectsBadBase64) {
  for (const char* hash : {
           "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM",    // padding missing
           "dLZKckgb3DbzqkM42UHCN2c-ciGTLCjihetZGJmTnbM=",   // URL-safe alphabet
           "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=\n",
           " dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=",
           "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbN=",  // non-zero trailing bits
       }) {
    expect_rejected("sha-256", hash, std::nullopt, password_error::malformed);
  }
}

TEST(PasswordSha, ParseRejectsBadBase64Salt) {
  for (const char* salt : {"ij8AxxH+WwI", "ij8AxxH_WwI=", "not base64!", "===="}) {
    expect_rejected("sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", salt, password_error::malformed);
  }
}

TEST(PasswordSha, MalformedStoredValuesNeverMatch) {
  EXPECT_FALSE(verify(password_hash{"sha-256", "not base64", {}}, "hono-secret"));
  EXPECT_FALSE(
      verify(password_hash{"sha-256", "dLZKckgb3DbzqkM42UHCN2c+ciGTLCjihetZGJmTnbM=", "bad salt"}, "hono-secret"));
  EXPECT_FALSE(verify(password_hash{"sha-256", "", {}}, ""));
}

TEST(PasswordFunctions, UnknownOrMiscasedNamesAreUnsupported) {
  for (const char* function : {"", "BCRYPT", "Bcrypt", "SHA-256", "sha256", "sha-1", "md5", "sha-384", "plain"}) {
    expect_rejected(function, "1kkUGFVe8TyUi+9KxFPkOXRFU0drt2mO5xLRRrBOkHY=", std::nullopt,
                    password_error::unsupported);
  }
  EXPECT_FALSE(verify(password_hash{"SHA-256", "1kkUGFVe8TyUi+9KxFPkOXRFU0drt2mO5xLRRrBOkHY=", {}}, "hono-secret"));
  EXPECT_FALSE(verify(password_hash{"", "", {}}, ""));
}

TEST(PasswordFunctions, UnsupportedNameIsQuotedOnlyInPart) {
  const std::string long_name(1000, 'f');
  auto parsed = parse_hash(long_name, "x", std::nullopt, kMaxCost);
  ASSERT_FALSE(parsed);
  EXPECT_LT(parsed.error().message.size(), 200u);
}

}  // namespace
}  // namespace tributary::registry
