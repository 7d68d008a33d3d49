#include "admin/routes.h"

#include <gtest/gtest.h>

namespace tributary::admin {
namespace {

namespace http = net::http;

net::http_request get(std::string target, http::verb verb = http::verb::get) {
  net::http_request req{verb, target, 11};
  return req;
}

class Routes : public ::testing::Test {
 protected:
  health health_;
  metrics::registry metrics_;
  routes routes_{health_, metrics_};
};

TEST_F(Routes, LiveIsAlwaysUp) {
  auto res = routes_.handle(get("/health/live"));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"status":"UP"})");
}

TEST_F(Routes, ReadyOnlyWhenEveryServiceIsUp) {
  health_.register_service("admin");
  health_.register_service("mqtt");
  health_.set_up("admin", true);
  auto res = routes_.handle(get("/health/ready"));
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_NE(res.body().find(R"({"name":"mqtt","status":"DOWN"})"), std::string::npos) << res.body();

  health_.set_up("mqtt", true);
  res = routes_.handle(get("/health/ready"));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_NE(res.body().find(R"("status":"UP")"), std::string::npos) << res.body();

  health_.begin_shutdown();
  res = routes_.handle(get("/health/ready"));
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_NE(res.body().find("shutting down"), std::string::npos) << res.body();
}

TEST_F(Routes, MetricsInPrometheusTextFormat) {
  metrics_.get_counter("tributary_test_total", "A test counter.").inc(2);
  auto res = routes_.handle(get("/metrics"));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res.body().find("tributary_test_total 2\n"), std::string::npos);
}

TEST_F(Routes, UnknownPathAndWrongMethod) {
  auto res = routes_.handle(get("/nope"));
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res.body(), R"({"error":"no such resource: /nope"})");
  res = routes_.handle(get("/metrics", http::verb::post));
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
}

TEST_F(Routes, HeadHasHeadersButNoBody) {
  auto res = routes_.handle(get("/health/live", http::verb::head));
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_TRUE(res.body().empty());
  EXPECT_EQ(res[http::field::content_length], "15");
}

}  // namespace
}  // namespace tributary::admin
