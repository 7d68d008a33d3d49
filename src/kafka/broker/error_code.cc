#include "kafka/broker/error_code.h"

namespace tributary::kafka::broker {

error_code to_kafka(log::log_errc e) {
  switch (e) {
    case log::log_errc::invalid_topic: return error_code::invalid_topic_exception;
    case log::log_errc::topic_exists: return error_code::topic_already_exists;
    case log::log_errc::unknown_topic: return error_code::unknown_topic_or_partition;
    case log::log_errc::invalid_config: return error_code::invalid_config;
    case log::log_errc::offset_out_of_range: return error_code::offset_out_of_range;
    case log::log_errc::invalid_batch: return error_code::corrupt_message;
    case log::log_errc::message_too_large: return error_code::message_too_large;
    case log::log_errc::overloaded: return error_code::request_timed_out;
    case log::log_errc::corrupt: return error_code::kafka_storage_error;
    case log::log_errc::io_error: return error_code::kafka_storage_error;
    case log::log_errc::closed: return error_code::kafka_storage_error;
  }
  return error_code::unknown_server_error;
}

}  // namespace tributary::kafka::broker
