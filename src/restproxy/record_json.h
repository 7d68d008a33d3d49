// record_json: consumed records as the v2 records response renders them for the binary and json
// embedded formats (`[{"topic","key","value","partition","offset"}]`, ../shared/spec/kafka-rest-proxy.md
// §6.7), plus Tributary's `headers` array on records that have headers. Pure.
#pragma once

#include <string>
#include <vector>

#include "restproxy/cluster.h"
#include "restproxy/media_type.h"

namespace tributary::restproxy {

// 40801 when the json format meets a key or value that is not JSON. For avro, keys and values are
// the JSON text the Avro reader made of them and go in as they are.
proxy_result<std::string> records_json(const std::vector<consumed_record>& records, embedded_format format);

}  // namespace tributary::restproxy
