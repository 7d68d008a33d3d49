// murmur2: Kafka's key hash (the Java client's Utils.murmur2) and its default partitioner, so that
// every place Tributary picks a partition for a key (adapters, REST proxy, routes) puts a device's
// records where a Java producer would (ARCHITECTURE.md §5). Pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace tributary {

std::int32_t murmur2(std::string_view bytes);

// toPositive(murmur2(key)) % partitions, as Kafka's BuiltInPartitioner does for keyed records.
int java_partition(std::string_view key, int partitions);

}  // namespace tributary
