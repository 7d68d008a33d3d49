// group_coordinator: the classic consumer-group protocol (../shared/spec/kafka-protocol.md §8) as a
// state machine over plain structs, independent of the wire codec and of sockets. Thread-safe (one
// mutex); time comes in as `now_ms` arguments and tick(), so tests drive it deterministically.
// JoinGroup and SyncGroup answers may be deferred: their callbacks run later, from another
// member's call or from tick(), always after the mutex is released. Owns no offsets (offset_store).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kafka/broker/error_code.h"

namespace tributary::kafka::broker {

struct join_group_request {
  std::string group_id;
  std::string member_id;  // empty on the first join
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string protocol_type;
  std::int32_t session_timeout_ms = 0;
  std::int32_t rebalance_timeout_ms = 0;
  std::vector<std::pair<std::string, std::string>> protocols;  // (name, metadata) in preference order
  std::int16_t version = 0;                                     // v4+ gets MEMBER_ID_REQUIRED on first join
};

struct join_group_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;
};

struct join_group_response {
  error_code error = error_code::none;
  std::int32_t generation_id = -1;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_group_member> members;  // the leader's answer only
};

struct sync_group_request {
  std::string group_id;
  std::int32_t generation_id = -1;
  std::string member_id;
  std::vector<std::pair<std::string, std::string>> assignments;  // (member_id, assignment), leader only
};

struct sync_group_response {
  error_code error = error_code::none;
  std::string protocol_type;
  std::string protocol_name;
  std::string assignment;
};

struct group_summary {
  std::string group_id;
  std::string protocol_type;
  std::string state;  // Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  std::string protocol_name;
  struct member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::string metadata;
    std::string assignment;
  };
  std::vector<member> members;
};

class group_coordinator {
 public:
  struct options {
    std::int32_t min_session_timeout_ms = 6000;
    std::int32_t max_session_timeout_ms = 1800000;
    std::int64_t initial_rebalance_delay_ms = 3000;  // Kafka's group.initial.rebalance.delay.ms
  };
  using join_callback = std::function<void(join_group_response)>;
  using sync_callback = std::function<void(sync_group_response)>;

  explicit group_coordinator(options o) : options_(o) {}

  void join(join_group_request req, std::int64_t now_ms, join_callback done);
  void sync(sync_group_request req, std::int64_t now_ms, sync_callback done);
  error_code heartbeat(const std::string& group_id, std::int32_t generation_id, const std::string& member_id,
                       std::int64_t now_ms);
  // One error per member id, in order.
  std::vector<error_code> leave(const std::string& group_id, const std::vector<std::string>& member_ids,
                                std::int64_t now_ms);
  // Whether an OffsetCommit with this generation and member may store offsets (spec §8.6).
  error_code may_commit(const std::string& group_id, std::int32_t generation_id, const std::string& member_id,
                        std::int64_t now_ms);

  // Session expiry, rebalance deadlines and the initial delay.
  void tick(std::int64_t now_ms);
  // Answers every parked JoinGroup/SyncGroup with COORDINATOR_NOT_AVAILABLE (clients retry
  // elsewhere or later) so that no request waits on a coordinator that is going away.
  void shutdown();

  std::vector<group_summary> list() const;
  std::optional<group_summary> describe(const std::string& group_id) const;

 private:
  enum class state { empty, preparing_rebalance, completing_rebalance, stable };
  struct member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::int32_t session_timeout_ms = 0;
    std::int32_t rebalance_timeout_ms = 0;
    std::vector<std::pair<std::string, std::string>> protocols;
    std::int64_t last_heard_ms = 0;
    join_callback pending_join;
    sync_callback pending_sync;
    std::string assignment;
  };
  struct group {
    std::string id;
    state st = state::empty;
    std::string protocol_type;
    std::string protocol_name;
    std::int32_t generation = 0;
    std::string leader;
    std::vector<std::unique_ptr<member>> members;  // join order
    std::map<std::string, std::int64_t> pending_member_ids;  // MEMBER_ID_REQUIRED given, expiry
    std::int64_t rebalance_deadline_ms = 0;
    bool initial_delay = false;
    std::int64_t initial_delay_cap_ms = 0;
    member* find(const std::string& id);
  };
  using completions = std::vector<std::function<void()>>;

  group& get_or_create(const std::string& id);
  group* find(const std::string& id);
  void prepare_rebalance(group& g, std::int64_t now_ms, completions& out);
  void maybe_complete_join(group& g, std::int64_t now_ms, completions& out, bool deadline_passed);
  void complete_join(group& g, std::int64_t now_ms, completions& out);
  void remove_member(group& g, const std::string& id, std::int64_t now_ms, completions& out);
  static bool supports(const group& g, const member& m);
  static std::string choose_protocol(const group& g);
  static const char* state_name(state s);
  std::string new_member_id(const std::string& client_id);

  options options_;
  mutable std::mutex mutex_;
  std::map<std::string, group> groups_;
  std::uint64_t member_counter_ = 0;
};

}  // namespace tributary::kafka::broker
