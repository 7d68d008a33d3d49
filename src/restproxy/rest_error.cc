#include "restproxy/rest_error.h"

#include <boost/json.hpp>

namespace tributary::restproxy {

rest_error http_status_error(unsigned status) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return {status, static_cast<int>(status), "HTTP " + std::to_string(status) + " " + std::string(reason)};
}

rest_error topic_not_found() { return {404, 40401, "Topic not found."}; }
rest_error partition_not_found() { return {404, 40402, "Partition not found."}; }
rest_error consumer_instance_not_found() { return {404, 40403, "Consumer instance not found."}; }
rest_error consumer_format_mismatch() {
  return {406, 40601, "The requested embedded data format does not match the deserializer for this consumer instance"};
}
rest_error consumer_already_exists() {
  return {409, 40902, "Consumer with specified consumer ID already exists in the specified consumer group."};
}
rest_error illegal_state(std::string_view detail) { return {409, 40903, "Illegal state: " + std::string(detail)}; }
rest_error unprocessable(std::string message) { return {422, 422, std::move(message)}; }
rest_error bad_request(std::string detail) { return {400, 400, "Bad Request: " + std::move(detail)}; }
rest_error kafka_error(std::string detail, bool retriable) {
  return {500, retriable ? 50003 : 50002, "Kafka error: " + std::move(detail)};
}

net::http_response error_response(const rest_error& e, std::string_view content_type, unsigned version) {
  net::http_response res{static_cast<boost::beast::http::status>(e.status), version};
  res.set(boost::beast::http::field::content_type, content_type);
  res.body() = boost::json::serialize(boost::json::object{{"error_code", e.error_code}, {"message", e.message}});
  res.prepare_payload();
  return res;
}

}  // namespace tributary::restproxy
