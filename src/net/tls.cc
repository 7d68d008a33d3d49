#include "net/tls.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace tributary::net {

result<std::shared_ptr<asio::ssl::context>, tls_error> make_server_context(const std::filesystem::path& cert_file,
                                                                           const std::filesystem::path& key_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                           asio::ssl::context::single_dh_use,
                       ec);
  context->use_certificate_chain_file(cert_file.string(), ec);
  if (ec) return fail(tls_error{tls_errc::bad_files, "cannot use TLS certificate " + cert_file.string() + ": " + ec.message()});
  context->use_private_key_file(key_file.string(), asio::ssl::context::pem, ec);
  if (ec) return fail(tls_error{tls_errc::bad_files, "cannot use TLS key " + key_file.string() + ": " + ec.message()});
  // Ask for a client certificate, accept any: the tenant's trust anchor is checked after the handshake.
  context->set_verify_mode(asio::ssl::verify_peer, ec);
  context->set_verify_callback([](bool, asio::ssl::verify_context&) { return true; }, ec);
  return context;
}

asio::awaitable<boost::system::error_code> tls_stream::handshake() {
  boost::system::error_code ec;
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<io_result> tls_stream::read_some(asio::mutable_buffer buffer) {
  io_result r;
  r.bytes = co_await stream_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

asio::awaitable<io_result> tls_stream::write_all(asio::const_buffer buffer) {
  io_result r;
  r.bytes = co_await asio::async_write(stream_, buffer, asio::redirect_error(asio::use_awaitable, r.ec));
  co_return r;
}

std::string tls_stream::peer_certificate() const {
  SSL* ssl = const_cast<asio::ssl::stream<tcp_socket&>&>(stream_).native_handle();
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string out;
  if (len > 0) out.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

std::string tls_stream::cipher_suite() const {
  SSL* ssl = const_cast<asio::ssl::stream<tcp_socket&>&>(stream_).native_handle();
  const char* name = SSL_get_cipher_name(ssl);
  return name ? name : "UNKNOWN";
}

}  // namespace tributary::net
