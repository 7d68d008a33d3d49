// record_text: how the application tools print Kafka records, in the shape of Hono's command-line
// client ("received telemetry message [device: ..., content-type: ...]: payload" and "... with
// properties: {name=value, ...}"). Pure functions of a record; no I/O.
#pragma once

#include <optional>
#include <string>

#include "kafka/client/client.h"

namespace tributary::cli {

// The payload as text when it is text (no control bytes but tab and line ends), else "0x" + hex;
// "<empty>" for none.
std::string payload_text(const std::optional<std::string>& value);

// "{name=value, ...}" over every header, in record order; a null value prints as name=null.
std::string properties_text(const kafka::client::record& r);

// Two lines (without a final newline): the Hono receiver's "received <type> message ..." line and
// its "... with properties: {...}" line. <type> comes from the topic: hono.telemetry.* →
// telemetry, hono.event.* → event, anything else → the topic name.
std::string received_message_text(const kafka::client::record& r);

}  // namespace tributary::cli
