#include "net/http_wire.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tributary::net {
namespace {

namespace http = boost::beast::http;
using response = http::response<http::string_body>;

// What Beast's own serializer writes for res: append_response must write the same bytes.
std::string beast_bytes(const response& res) {
  std::ostringstream out;
  out << res;
  return out.str();
}

std::string wire_bytes(const response& res) {
  std::string out;
  append_response(res, out);
  return out;
}

TEST(HttpWire, AcceptedWithoutBodyIsExactBytes) {
  response res{http::status::accepted, 11};
  res.set(http::field::access_control_allow_origin, "*");
  res.prepare_payload();
  EXPECT_EQ(wire_bytes(res), "HTTP/1.1 202 Accepted\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(wire_bytes(res), beast_bytes(res));
}

TEST(HttpWire, BodyFieldsInOrderAndCustomFieldNamesAsBeastWritesThem) {
  response res{http::status::service_unavailable, 11};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set("hono-command", "setVolume");
  res.set(http::field::retry_after, "2");
  res.body() = R"({"error":"temporarily unavailable"})";
  res.prepare_payload();
  EXPECT_EQ(wire_bytes(res), beast_bytes(res));
  EXPECT_NE(wire_bytes(res).find("\r\nhono-command: setVolume\r\n"), std::string::npos);
  EXPECT_TRUE(wire_bytes(res).ends_with("\r\n\r\n{\"error\":\"temporarily unavailable\"}"));
}

TEST(HttpWire, Http10KeepAliveAndClose) {
  response keep{http::status::ok, 10};
  keep.body() = "x";
  keep.prepare_payload();
  keep.keep_alive(true);
  EXPECT_EQ(wire_bytes(keep), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nx");
  EXPECT_EQ(wire_bytes(keep), beast_bytes(keep));

  response close{http::status::ok, 11};
  close.prepare_payload();
  close.keep_alive(false);
  EXPECT_EQ(wire_bytes(close), beast_bytes(close));
  EXPECT_NE(wire_bytes(close).find("Connection: close\r\n"), std::string::npos);
}

TEST(HttpWire, NoContentHasNoBodyAndNoLength) {
  response res{http::status::no_content, 11};
  res.set(http::field::access_control_max_age, "86400");
  res.prepare_payload();
  EXPECT_EQ(wire_bytes(res), "HTTP/1.1 204 No Content\r\nAccess-Control-Max-Age: 86400\r\n\r\n");
}

TEST(HttpWire, ResponseWithoutFramingGetsContentLength) {
  response res{http::status::ok, 11};
  res.body() = "hello";
  EXPECT_EQ(wire_bytes(res), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
}

TEST(HttpWire, CustomReasonAndUnknownStatus) {
  response res{http::status::ok, 11};
  res.reason("Fine");
  res.prepare_payload();
  EXPECT_TRUE(wire_bytes(res).starts_with("HTTP/1.1 200 Fine\r\n"));
  response odd;
  odd.result(599);
  odd.version(11);
  odd.prepare_payload();
  EXPECT_EQ(wire_bytes(odd), beast_bytes(odd));
}

TEST(HttpWire, AppendsToWhatTheBufferHolds) {
  response res{http::status::accepted, 11};
  res.prepare_payload();
  std::string out = "HTTP/1.1 100 Continue\r\n\r\n";
  append_response(res, out);
  EXPECT_EQ(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace tributary::net
