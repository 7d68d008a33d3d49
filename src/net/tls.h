// tls: TLS for device listeners (OpenSSL through Asio): a server context from PEM files (TLS 1.2
// and 1.3 only) that asks for, but does not itself trust, client certificates — which CA a device
// certificate must chain to is a per-tenant registry decision (trusted-ca), made after the
// handshake. tls_stream is the byte_stream over such a session.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <filesystem>
#include <memory>

#include "common/result.h"
#include "net/byte_stream.h"
#include "net/connection.h"

namespace tributary::net {

enum class tls_errc { bad_files, handshake_failed };
using tls_error = coded_error<tls_errc>;

// Server context with `cert_file` (PEM chain) and `key_file` (PEM private key).
result<std::shared_ptr<asio::ssl::context>, tls_error> make_server_context(const std::filesystem::path& cert_file,
                                                                           const std::filesystem::path& key_file);

class tls_stream final : public byte_stream {
 public:
  tls_stream(connection& c, asio::ssl::context& context) : stream_(c.socket(), context) {}
  // Runs the server handshake; the caller sets a deadline on the connection around it.
  asio::awaitable<boost::system::error_code> handshake();

  asio::awaitable<io_result> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<io_result> write_all(asio::const_buffer buffer) override;
  std::string peer_certificate() const override;
  std::string cipher_suite() const override;

 private:
  asio::ssl::stream<tcp_socket&> stream_;
};

}  // namespace tributary::net
