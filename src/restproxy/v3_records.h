// v3_records: the body of a v3 produce request (`POST /v3/clusters/{id}/topics/{t}/records`,
// ../shared/spec/kafka-rest-proxy.md §10): one JSON object or several concatenated, each
// {"partition_id", "headers", "key": {"type", "data"}, "value": {...}, "timestamp"}, parsed into
// records or a per-record error; and the delivery report written back for each. Pure.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "restproxy/produce_request.h"

namespace tributary::restproxy {

struct v3_record {
  produce_record record;
  // For the delivery report: "BINARY", "JSON" or "STRING" and the serialized size; empty type when
  // absent. Sizes are kept here because appending moves the key and value into the log.
  std::string key_type, value_type;
  std::size_t key_size = 0, value_size = 0;
};

using v3_entry = std::variant<v3_record, rest_error>;

// Every object of the body in order. Malformed JSON ends the list with a 400 entry (nothing after
// it can be found); a well-formed object with bad content is one 400 entry and parsing goes on.
std::vector<v3_entry> parse_v3_records(std::string_view body);

// `POST .../records:batch`: {"entries": [{"id": "...", <record fields>}, ...]}, at most
// max_entries entries with distinct ids of 1-80 characters; 422 42208 otherwise ("Empty batch.",
// "Batch entry IDs are not distinct.", "Too many entries in batch."), 400 for malformed JSON.
struct v3_batch_entry {
  std::string id;
  v3_entry entry;
};
proxy_result<std::vector<v3_batch_entry>> parse_v3_batch(std::string_view body, std::size_t max_entries);

struct v3_delivery {
  std::string cluster_id, topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;
};

// {"error_code":200,"cluster_id":...,"topic_name":...,"partition_id":...,"offset":...,
//  "timestamp":"...Z","key":{"type":"BINARY","size":6},"value":{...}}
std::string v3_report(const v3_delivery& d, const v3_record& r);
// {"error_code":400,"message":"..."}
std::string v3_error_report(const rest_error& e);

}  // namespace tributary::restproxy
