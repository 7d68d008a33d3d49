#include "kafka/broker/sasl.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace tributary::kafka::broker {
namespace {

TEST(Sasl, Plain) {
  sasl_users users;
  users.add("hono", "hono-secret");
  auto ok = sasl_exchange::start("PLAIN", users);
  EXPECT_EQ(ok->respond(std::string("\0hono\0hono-secret", 17)).st, sasl_exchange::state::succeeded);
  EXPECT_EQ(ok->principal(), "hono");
  auto bad = sasl_exchange::start("PLAIN", users);
  auto step = bad->respond(std::string("\0hono\0wrong", 11));
  EXPECT_EQ(step.st, sasl_exchange::state::failed);
  EXPECT_EQ(step.error.find("wrong"), std::string::npos) << "never echo secrets";
  EXPECT_EQ(sasl_exchange::start("GSSAPI", users), nullptr);
}

// RFC 7677 §3: the SCRAM-SHA-256 example exchange, byte for byte.
TEST(Sasl, ScramSha256Rfc7677Example) {
  sasl_users users;
  users.add_with_salt("user", "pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  auto ex = sasl_exchange::start("SCRAM-SHA-256", users, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
  auto first = ex->respond("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_EQ(first.st, sasl_exchange::state::in_progress) << first.error;
  EXPECT_EQ(first.challenge, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  auto final = ex->respond(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_EQ(final.st, sasl_exchange::state::succeeded) << final.error;
  EXPECT_EQ(final.challenge, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_EQ(ex->principal(), "user");
}

TEST(Sasl, ScramWrongProofOrNonceFails) {
  sasl_users users;
  users.add_with_salt("user", "pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  auto ex = sasl_exchange::start("SCRAM-SHA-256", users, "srv");
  ASSERT_EQ(ex->respond("n,,n=user,r=abc").st, sasl_exchange::state::in_progress);
  EXPECT_EQ(ex->respond("c=biws,r=abcsrv,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").st, sasl_exchange::state::failed);
  auto ex2 = sasl_exchange::start("SCRAM-SHA-512", users, "srv");
  ASSERT_EQ(ex2->respond("n,,n=user,r=abc").st, sasl_exchange::state::in_progress);
  EXPECT_EQ(ex2->respond("c=biws,r=other,p=AAAA").st, sasl_exchange::state::failed);
  auto unknown = sasl_exchange::start("SCRAM-SHA-256", users, "srv");
  EXPECT_EQ(unknown->respond("n,,n=nobody,r=abc").st, sasl_exchange::state::failed);
}

}  // namespace
}  // namespace tributary::kafka::broker
