#include "net/http_wire.h"

#include <charconv>

namespace tributary::net {

namespace http = boost::beast::http;

void append_response(const http::response<http::string_body>& res, std::string& out) {
  const unsigned code = res.result_int();
  char number[16];
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out.append(number, std::to_chars(number, number + sizeof number, code).ptr);
  out += ' ';
  out += res.reason();
  out += "\r\n";
  const bool bodiless = code / 100 == 1 || code == 204 || code == 304;
  bool framed = false;
  for (const auto& f : res) {
    // RFC 9110 §8.6: no Content-Length in a 1xx or 204 answer (Beast's prepare_payload sets 0).
    if (bodiless && f.name() == http::field::content_length) continue;
    framed = framed || f.name() == http::field::content_length || f.name() == http::field::transfer_encoding;
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  if (!framed && !bodiless) {
    out += "Content-Length: ";
    out.append(number, std::to_chars(number, number + sizeof number, res.body().size()).ptr);
    out += "\r\n";
  }
  out += "\r\n";
  if (!bodiless) out += res.body();
}

}  // namespace tributary::net
