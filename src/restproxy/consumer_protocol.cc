#include "restproxy/consumer_protocol.h"

#include <algorithm>

#include "common/big_endian.h"

namespace tributary::restproxy {
namespace {

template <typename T>
void put(std::string& out, T v) {
  std::uint8_t bytes[sizeof(T)];
  write_be(bytes, v);
  out.append(reinterpret_cast<const char*>(bytes), sizeof(T));
}
void put16(std::string& out, std::int16_t v) { put(out, v); }
void put32(std::string& out, std::int32_t v) { put(out, v); }
void put_string(std::string& out, std::string_view s) {
  put16(out, static_cast<std::int16_t>(s.size()));
  out.append(s);
}

class reader {
 public:
  explicit reader(std::string_view b) : bytes_(b) {}
  template <typename T>
  std::optional<T> number() {
    if (bytes_.size() - pos_ < sizeof(T)) return std::nullopt;
    const auto v = read_be<T>(reinterpret_cast<const std::uint8_t*>(bytes_.data() + pos_));
    pos_ += sizeof(T);
    return v;
  }
  std::optional<std::int16_t> i16() { return number<std::int16_t>(); }
  std::optional<std::int32_t> i32() { return number<std::int32_t>(); }
  std::optional<std::string> str() {
    auto n = i16();
    if (!n || *n < 0 || bytes_.size() - pos_ < static_cast<std::size_t>(*n)) return std::nullopt;
    std::string s(bytes_.substr(pos_, static_cast<std::size_t>(*n)));
    pos_ += static_cast<std::size_t>(*n);
    return s;
  }
  // An array length that the remaining bytes can hold at `min_item` bytes per item.
  std::optional<std::int32_t> count(std::size_t min_item) {
    auto n = i32();
    if (!n || *n < 0 || static_cast<std::size_t>(*n) > (bytes_.size() - pos_) / min_item) return std::nullopt;
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_subscription(const std::vector<std::string>& topics) {
  std::string out;
  put16(out, 0);
  put32(out, static_cast<std::int32_t>(topics.size()));
  for (const auto& t : topics) put_string(out, t);
  put32(out, -1);  // user data: null
  return out;
}

std::optional<std::vector<std::string>> decode_subscription(std::string_view bytes) {
  reader r(bytes);
  if (!r.i16()) return std::nullopt;
  auto n = r.count(2);
  if (!n) return std::nullopt;
  std::vector<std::string> topics;
  for (std::int32_t i = 0; i < *n; ++i) {
    auto t = r.str();
    if (!t) return std::nullopt;
    topics.push_back(std::move(*t));
  }
  return topics;
}

std::string encode_assignment(const std::vector<topic_partition>& partitions) {
  std::map<std::string, std::vector<std::int32_t>> by_topic;
  for (const auto& tp : partitions) by_topic[tp.topic].push_back(tp.partition);
  std::string out;
  put16(out, 0);
  put32(out, static_cast<std::int32_t>(by_topic.size()));
  for (const auto& [topic, ps] : by_topic) {
    put_string(out, topic);
    put32(out, static_cast<std::int32_t>(ps.size()));
    for (auto p : ps) put32(out, p);
  }
  put32(out, -1);
  return out;
}

std::optional<std::vector<topic_partition>> decode_assignment(std::string_view bytes) {
  std::vector<topic_partition> out;
  if (bytes.empty()) return out;  // a member the leader gave nothing may get no bytes at all
  reader r(bytes);
  if (!r.i16()) return std::nullopt;
  auto topics = r.count(6);
  if (!topics) return std::nullopt;
  for (std::int32_t i = 0; i < *topics; ++i) {
    auto t = r.str();
    auto n = t ? r.count(4) : std::nullopt;
    if (!n) return std::nullopt;
    for (std::int32_t j = 0; j < *n; ++j) out.push_back({*t, *r.i32()});
  }
  return out;
}

std::map<std::string, std::vector<topic_partition>> range_assign(
    const std::vector<std::pair<std::string, std::vector<std::string>>>& member_topics,
    const std::map<std::string, std::int32_t>& partition_counts) {
  std::map<std::string, std::vector<topic_partition>> out;
  std::map<std::string, std::vector<std::string>> members_of;  // topic -> members, sorted
  for (const auto& [member, topics] : member_topics) {
    out[member];
    for (const auto& t : topics) members_of[t].push_back(member);
  }
  for (auto& [topic, members] : members_of) {
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    const auto it = partition_counts.find(topic);
    if (it == partition_counts.end() || it->second <= 0) continue;
    const auto n = static_cast<std::size_t>(it->second);
    const auto each = n / members.size();
    const auto extra = n % members.size();
    std::size_t next = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto take = each + (i < extra ? 1 : 0);
      for (std::size_t k = 0; k < take; ++k) out[members[i]].push_back({topic, static_cast<std::int32_t>(next++)});
    }
  }
  return out;
}

}  // namespace tributary::restproxy
