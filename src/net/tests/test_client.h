// A blocking loopback client for net/ tests: connect, send bytes, read until a condition.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <string>

#include "common/host_port.h"

namespace tributary::net::testing {

class test_client {
 public:
  explicit test_client(const host_port& address) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address(address.host), address.port});
  }
  void send(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size())); }
  // Reads until `needle` has been seen `times` times or the peer closes; returns all bytes read.
  std::string read_until(std::string_view needle, int times = 1) {
    std::string out;
    char chunk[4096];
    while (count(out, needle) < times) {
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(boost::asio::buffer(chunk), ec);
      if (ec) break;
      out.append(chunk, n);
    }
    return out;
  }
  // True when the server closed the connection (read returns EOF).
  bool closed_by_peer() {
    char byte;
    boost::system::error_code ec;
    socket_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

  static int count(std::string_view hay, std::string_view needle) {
    int n = 0;
    for (auto pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + needle.size())) ++n;
    return n;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace tributary::net::testing
