#include "net/http_session.h"

#include <gtest/gtest.h>

#include "net/tcp_listener.h"
#include "net/tests/test_client.h"

namespace tributary::net {
namespace {

using namespace std::chrono_literals;

asio::awaitable<http_response> answer_path(const http_request& req) {
  http_response res{http::status::ok, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::string(req.target()) + ":" + req.body();
  res.prepare_payload();
  co_return res;
}

class HttpSession : public ::testing::Test {
 protected:
  void SetUp() override {
    http_limits limits;
    limits.header_bytes = 1024;
    limits.body_bytes = 16;
    auto bound = tcp_listener::bind(pool_, "http", {"127.0.0.1", 0}, [limits](std::shared_ptr<connection> c) {
      return serve_http(std::move(c), answer_path, limits);
    });
    ASSERT_TRUE(bound.ok()) << bound.error().message;
    listener_ = std::move(*bound);
    pool_.start();
    listener_->start();
  }
  void TearDown() override {
    listener_->stop_accepting();
    listener_->close_all();
    listener_->wait_until_empty(std::chrono::steady_clock::now() + 10s);
    pool_.stop(std::chrono::steady_clock::now() + 10s);
  }
  io_pool pool_{1};
  std::unique_ptr<tcp_listener> listener_;
};

TEST_F(HttpSession, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  testing::test_client c(listener_->local_address());
  c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string out = c.read_until("/three:");
  const auto one = out.find("/one:"), two = out.find("/two:abc"), three = out.find("/three:");
  ASSERT_NE(one, std::string::npos) << out;
  ASSERT_NE(two, std::string::npos) << out;
  ASSERT_NE(three, std::string::npos) << out;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
}

TEST_F(HttpSession, ConnectionCloseIsHonoured) {
  testing::test_client c(listener_->local_address());
  c.send("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(c.read_until("/x:").find("Connection: close"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpSession, MalformedRequestGets400AndClose) {
  testing::test_client c(listener_->local_address());
  c.send("NONSENSE\r\n\r\n");
  const std::string out = c.read_until("}");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("\"error\":\"malformed HTTP request"), std::string::npos) << out;
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpSession, OversizedBodyGets413) {
  testing::test_client c(listener_->local_address());
  c.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n");
  EXPECT_EQ(c.read_until("}").rfind("HTTP/1.1 413", 0), 0u);
}

TEST_F(HttpSession, OversizedHeaderGets431) {
  testing::test_client c(listener_->local_address());
  c.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_EQ(c.read_until("}").rfind("HTTP/1.1 431", 0), 0u);
}

}  // namespace
}  // namespace tributary::net
