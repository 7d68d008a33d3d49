// embedded_consumer: one REST consumer instance's consumer over the embedded broker. Reads
// partitions straight from the log; with a subscription it is a real member of the Kafka group in
// the broker's group coordinator (protocol type "consumer", range assignor), so REST instances and
// native consumers of one group share its partitions. Membership runs on the coordinator's
// callbacks and on tick(); positions start at the group's committed offset, else at
// auto.offset.reset. Thread-safe (one mutex, never held while calling the coordinator).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include "kafka/broker/broker.h"
#include "restproxy/cluster.h"
#include "restproxy/topic_pattern.h"

namespace tributary::restproxy {

class embedded_consumer : public consumer, public std::enable_shared_from_this<embedded_consumer> {
 public:
  static constexpr std::int32_t session_timeout_ms = 10000;
  static constexpr std::int32_t rebalance_timeout_ms = 30000;
  static constexpr std::int64_t heartbeat_interval_ms = 1000;
  static constexpr std::int64_t auto_commit_interval_ms = 5000;

  embedded_consumer(kafka::broker::broker& b, std::string group, std::string client_id, consumer_options options);

  proxy_result<void> subscribe(std::vector<std::string> topics, std::string pattern) override;
  void unsubscribe() override;
  std::vector<std::string> subscription() const override;
  proxy_result<void> assign(std::vector<topic_partition> partitions) override;
  std::vector<topic_partition> assignment() const override;
  proxy_result<void> seek(const topic_partition& tp, std::int64_t offset) override;
  proxy_result<void> seek_to_beginning(const std::vector<topic_partition>& tps) override;
  proxy_result<void> seek_to_end(const std::vector<topic_partition>& tps) override;
  proxy_result<void> seek_to_timestamp(const topic_partition& tp, std::int64_t timestamp_ms) override;
  proxy_result<std::vector<consumed_record>> poll(std::size_t max_bytes) override;
  proxy_result<peeked_records> peek(std::size_t max_bytes) override;
  bool advance(const std::vector<position_move>& moves) override;
  boost::asio::awaitable<void> wait(std::chrono::milliseconds timeout) override;
  boost::asio::awaitable<proxy_result<void>> commit(std::vector<commit_entry> entries) override;
  std::vector<commit_entry> positions() const override;
  std::vector<commit_entry> committed(const std::vector<topic_partition>& tps) const override;
  void tick(std::int64_t now_ms) override;
  boost::asio::awaitable<void> close() override;

 private:
  using lock_t = std::unique_lock<std::mutex>;
  // Topics the subscription names now (a pattern matched against the log's topics). Mutex held.
  std::vector<std::string> subscribed_topics_locked() const;
  // Mutex held: 40903 unless every partition is assigned.
  proxy_result<void> check_assigned_locked(const std::vector<topic_partition>& tps) const;
  // Mutex held: the partition's position, set from the committed offset or auto.offset.reset when
  // it has none (or when it lies outside the log).
  proxy_result<std::int64_t> position_locked(const topic_partition& tp);
  // Mutex held: poll's read, the positions untouched; partitions whose position lies outside the
  // log are added to `out_of_range`.
  proxy_result<peeked_records> peek_locked(std::size_t max_bytes, std::vector<topic_partition>& out_of_range);
  // Mutex held: the moves applied (to partitions still holding a position), the round robin on.
  void apply_moves_locked(const std::vector<position_move>& moves);
  // Every partition (all assigned, else 40903) to offset_of(its log); 0 for a partition not there.
  proxy_result<void> seek_each(const std::vector<topic_partition>& tps,
                               const std::function<std::int64_t(const log::partition&)>& offset_of);
  proxy_result<std::int64_t> reset_position(const topic_partition& tp, const log::partition& p) const;
  void set_assignment_locked(std::vector<topic_partition> partitions);
  // Group membership: JoinGroup, then (as leader, with the range assignor) SyncGroup.
  void start_join();
  void on_joined(kafka::broker::join_group_response r);
  void on_synced(std::int32_t generation, kafka::broker::sync_group_response r);
  void leave_group();
  // Commits the positions that moved since the last auto commit; fire and forget.
  void auto_commit_now();
  void store(std::vector<commit_entry> entries, std::function<void(log::log_result<void>)> done);

  kafka::broker::broker& broker_;
  const std::string group_;
  const std::string client_id_;
  const consumer_options options_;

  mutable std::mutex mutex_;
  bool closed_ = false;
  std::vector<std::string> topics_;   // subscription by list
  std::optional<topic_pattern> pattern_;  // subscription by pattern
  bool manual_ = false;                // assign() was used
  std::vector<topic_partition> assigned_;
  std::map<topic_partition, std::int64_t> positions_;
  std::map<topic_partition, std::int64_t> auto_committed_;
  std::size_t next_partition_ = 0;  // round robin start for poll fairness
  // Membership (subscription only).
  std::string member_id_;
  std::int32_t generation_ = -1;
  bool joining_ = false;
  bool stable_ = false;
  std::vector<std::string> joined_topics_;
  std::int64_t last_heartbeat_ms_ = 0;
  std::int64_t last_join_attempt_ms_ = 0;
  std::int64_t last_auto_commit_ms_ = 0;
};

}  // namespace tributary::restproxy
