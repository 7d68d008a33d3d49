// http_wire: the bytes of an HTTP/1.1 response, written into a caller's buffer (kept per connection,
// so that a keep-alive connection reuses its capacity) and sent with one write. Replaces Beast's
// serializer on the serving path, which costs more CPU than the small answers served here need.
// Pure: no I/O, no state.
#pragma once

#include <boost/beast/http.hpp>

#include <string>

namespace tributary::net {

// Appends res to out: status line, every field in order, then the body. A response that has
// neither Content-Length nor Transfer-Encoding gets `Content-Length: <body size>` (so that the
// connection can stay open), except 1xx, 204 and 304, which have no body and get no Content-Length
// (RFC 9110 §8.6), whatever prepare_payload put there.
void append_response(const boost::beast::http::response<boost::beast::http::string_body>& res, std::string& out);

}  // namespace tributary::net
