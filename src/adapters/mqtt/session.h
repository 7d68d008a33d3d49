// session: one MQTT connection, from CONNECT to close, on its connection's executor. The reader
// coroutine decodes packets and handles them in order; PUBLISHes are stored through messaging with
// up to max_in_flight outstanding, and their PUBACKs (or error handling, spec/hono.md §3.7) go out
// in arrival order [MQTT-4.6.0-2]. A writer coroutine sends queued bytes. The adapter may ask a
// session to close from any thread (registry changes).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/container/devector.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/mqtt/adapter.h"
#include "adapters/mqtt/command_topic.h"
#include "adapters/mqtt/error_topic.h"
#include "adapters/mqtt/packets.h"
#include "adapters/mqtt/topic_address.h"
#include "messaging/downstream.h"
#include "net/byte_stream.h"

namespace tributary::adapters::mqtt {

class session : public std::enable_shared_from_this<session> {
 public:
  // `stream`: the TLS stream over conn; null for plain TCP.
  session(adapter& a, std::shared_ptr<net::connection> conn, std::unique_ptr<net::byte_stream> stream);
  ~session();

  // Serves the connection to its end; `self` (in the frame before the coroutine first runs) keeps
  // the session alive meanwhile.
  static boost::asio::awaitable<void> run(std::shared_ptr<session> self);

  // Any thread: closes the connection (e.g. the device was disabled).
  void close_soon(std::string reason);

  const std::string& tenant() const { return tenant_; }
  const std::string& device() const { return device_; }
  const std::string& auth_id() const { return auth_id_; }
  const std::string& auth_type() const;  // credentials type it authenticated with

  tracking_hook tracking_;  // the adapter's links, guarded by the adapter's lock

 private:
  enum class on_error_mode { default_mode, disconnect, ignore, skip_ack };

  // A PUBLISH on its way into storage; acknowledged (or failed) in arrival order.
  struct in_flight {
    std::uint16_t packet_id = 0;  // 0 for QoS 0
    bool done = false;
    std::optional<api_error> error;
    on_error_mode on_error = on_error_mode::default_mode;
    std::string endpoint_segment;
    std::string device;          // of the message
    std::string message_tenant;  // of the message
    bool puback = false;         // QoS 1: acknowledged with PUBACK
    std::string correlation_id;  // for the error topic
    // For metrics.
    std::chrono::steady_clock::time_point received;
    std::size_t payload_bytes = 0;
    std::string tenant;
    std::string_view type = "telemetry";
    std::string_view qos = "unknown";
    // For the tenant's data volume: the message's tenant once it is known.
    std::shared_ptr<const registry::tenant_info> tenant_info;
  };

  // A command subscription (spec/hono.md §3.5), registered with the adapter's consumer directory
  // under (tenant, device): the device commands are for, or the gateway itself for "+".
  struct command_route {
    command_subscription filter;
    mqtt::qos granted = qos::at_most_once;
    std::string tenant, device;
    commands::registration registration;
  };
  // A command published with QoS 1, waiting for the device's PUBACK.
  struct pending_command {
    std::function<void(commands::delivery_result)> done;
    std::unique_ptr<boost::asio::steady_timer> timeout;
  };
  class command_sink;  // the commands::command_consumer of one command_route
  // What most devices never need, held apart and made on first use: what the device subscribed
  // to, the commands awaiting its PUBACK, and the wake-up timer (see wake()).
  struct extra_state {
    std::vector<error_subscription> errors;  // one per (tenant, device) filter
    std::vector<std::shared_ptr<command_route>> command_routes;
    std::map<std::uint16_t, pending_command> pending_commands;
    std::optional<net::steady_timer> wake;
  };
  extra_state& extra();

  // Before each read: false when the session is closing (or idle while the listener drains); sets
  // the idle flag and the keep-alive deadline, and gives back an empty read buffer.
  bool ready_to_read();
  enum class open_result { refused, failed, connected };  // refused: over the adapter's connection limit
  // Admission and CONNECT.
  boost::asio::awaitable<open_result> open();
  // Serves packets until the session ends (then ends it) or parks.
  static boost::asio::awaitable<void> serve(std::shared_ptr<session> self, bool connected);
  // Quiet, nothing in flight, on a plain socket: waits for the next bytes with a callback that
  // spawns serve() again (connection::park), so that an idle device keeps no coroutine at all and,
  // once its writes are done, no asio state either. False when the stream cannot (TLS buffers
  // internally).
  bool park();
  // Handles packets until nothing is buffered; false when the connection is done.
  boost::asio::awaitable<bool> serve_buffered();
  // Waits for stored messages' PUBACKs, releases what the connection held, flushes.
  boost::asio::awaitable<void> end(bool connected);
  boost::asio::awaitable<bool> read_more();
  boost::asio::awaitable<std::optional<packet>> next_packet(bool connecting);
  boost::asio::awaitable<bool> handle_connect(connect_packet c);
  // A CONNECT's answer and its outcome, for hono_connections_attempts_total.
  struct connect_verdict {
    connect_return_code code;
    const char* outcome;
  };
  boost::asio::awaitable<connect_verdict> authenticate(const connect_packet& c);
  boost::asio::awaitable<registry::registry_result<registry::authenticated_device>> credentials(const connect_packet& c);
  // What handle_publish worked out before the registry lookups.
  struct publish_context {
    std::shared_ptr<in_flight> f;
    topic_address address;
    bool response = false;  // a command response
    bool event = false;
    std::string correlation_id;          // of a command response, decoded from its request id
    std::optional<std::string> gateway;  // the authenticated device, publishing for another one
  };
  // Handles a PUBLISH at once when the registry's answers are cached (most of the time: no
  // coroutine per message) and returns true; false when a lookup must wait, with `c` filled in
  // for publish_after_lookups.
  bool handle_publish(publish_packet& p, publish_context& c);
  boost::asio::awaitable<void> publish_after_lookups(publish_packet p, publish_context c);
  // False (and the message answered) when the tenant refuses it.
  bool accept_tenant(publish_context& c, std::shared_ptr<const registry::tenant_info> tenant);
  void forward_publish(publish_packet& p, publish_context& c,
                       const registry::registry_result<registry::registration_assertion>& assertion);
  boost::asio::awaitable<void> handle_subscribe(subscribe_packet s);
  void handle_unsubscribe(const unsubscribe_packet& u);
  boost::asio::awaitable<bool> subscribe_commands(const command_subscription& filter, mqtt::qos requested);
  void deliver_command(const command_route& route, const std::shared_ptr<const commands::command>& c, const std::string& target,
                       std::function<void(commands::delivery_result)> done);
  void handle_command_puback(std::uint16_t packet_id);
  void end_command_route(const command_route& route);
  void end_command_routes();  // on close: unregister, ttd=0, fail what waits for a PUBACK
  void send_ttd_event(const std::string& tenant, const std::string& device, std::int64_t ttd);
  void complete(const std::shared_ptr<in_flight>& f, std::optional<api_error> error);
  void drain_acknowledgements();
  void fail_publish(const in_flight& f);
  const error_subscription* error_subscription_for(const in_flight& f) const;
  messaging::outgoing_record connection_event(const std::string& cause) const;
  void send_connection_event(const std::string& cause);
  boost::asio::awaitable<bool> send_connection_event_and_wait(const std::string& cause);

  // Queues p; the bytes go out after the current handler (write_queued), or with the writer.
  void queue(const packet& p);
  void write_queued();
  boost::asio::awaitable<void> write_loop(std::shared_ptr<session> self);
  boost::asio::awaitable<void> flush();  // until queued bytes are written (or 5 s)
  void close_now(const std::string& reason);

  adapter& adapter_;
  std::shared_ptr<net::connection> conn_;
  std::unique_ptr<net::byte_stream> stream_;  // TLS; null: the connection is the (plain) stream
  net::byte_stream& stream() { return stream_ ? *stream_ : *conn_; }
  std::vector<std::uint8_t> in_;
  std::vector<std::uint8_t> out_;
  // Cancelled whenever storage answers, the writer runs dry or the session closes; whoever waits
  // here (the reader while max_in_flight are outstanding, end() for the last answers, flush() for
  // the writer; never two at once) checks its own condition again. Made on the first wait: most
  // sessions never wait for anything but their socket.
  net::steady_timer& wake();
  void wake_waiter() {
    if (extra_ && extra_->wake) extra_->wake->cancel();
  }

  // The authenticated identity; empty for unauthenticated devices.
  std::string tenant_, device_, auth_id_;
  std::string client_id_;
  limits::time_point connected_at_{};  // of an authenticated device, for the connection-duration limit
  // A devector, not a deque: an empty one holds no memory (a deque keeps a 576-byte block), and
  // most sessions have nothing in flight most of the time.
  boost::container::devector<std::shared_ptr<in_flight>> in_flight_;
  std::unique_ptr<extra_state> extra_;
  // The small members together (an idle device keeps one session).
  std::int32_t tenant_max_ttl_ = -1;  // seconds (a tenant's max-ttl above 68 years counts as 68 years)
  std::uint16_t keep_alive_ = 0;
  std::uint16_t read_chunk_;  // bytes the next read asks for (see read_more)
  std::uint16_t next_packet_id_ = 1;
  bool writing_ = false;
  bool closing_ = false;
  bool readable_ = false;  // serve() or the parked wait saw bytes arrive that no read has taken yet
  bool x509_ = false;      // authenticated with a client certificate (else a password)
  bool authenticated_ = false;
};

}  // namespace tributary::adapters::mqtt
