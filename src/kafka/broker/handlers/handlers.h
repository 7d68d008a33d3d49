// One handler per Kafka API, each in handlers/<api>.cc; registered in handler_table.cc.
#pragma once

#include "kafka/broker/handler.h"

namespace tributary::kafka::broker {

boost::asio::awaitable<api_outcome> handle_api_versions(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_metadata(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_produce(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_fetch(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_list_offsets(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_find_coordinator(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_join_group(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_sync_group(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_heartbeat(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_leave_group(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_offset_commit(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_offset_fetch(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_list_groups(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_describe_groups(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_create_topics(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_delete_topics(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_init_producer_id(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_describe_configs(request_context&, std::string&, std::size_t);

boost::asio::awaitable<api_outcome> handle_sasl_handshake(request_context&, std::string&, std::size_t);
boost::asio::awaitable<api_outcome> handle_sasl_authenticate(request_context&, std::string&, std::size_t);

}  // namespace tributary::kafka::broker
