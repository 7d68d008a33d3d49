#include "kafka/broker/group_coordinator.h"

#include <gtest/gtest.h>

namespace tributary::kafka::broker {
namespace {

// Collects deferred answers.
struct join_slot {
  std::optional<join_group_response> r;
  group_coordinator::join_callback cb() {
    return [this](join_group_response x) { r = std::move(x); };
  }
};
struct sync_slot {
  std::optional<sync_group_response> r;
  group_coordinator::sync_callback cb() {
    return [this](sync_group_response x) { r = std::move(x); };
  }
};

join_group_request join_req(std::string member_id, std::int16_t version = 5,
                            std::vector<std::pair<std::string, std::string>> protocols = {{"range", "meta"}}) {
  join_group_request r;
  r.group_id = "g";
  r.member_id = std::move(member_id);
  r.client_id = "client";
  r.protocol_type = "consumer";
  r.session_timeout_ms = 10000;
  r.rebalance_timeout_ms = 20000;
  r.protocols = std::move(protocols);
  r.version = version;
  return r;
}

class GroupCoordinator : public ::testing::Test {
 protected:
  // Full join of a new member with KIP-394: returns the member id.
  std::string first_join(join_slot& slot, std::int64_t now) {
    join_slot id;
    gc_.join(join_req(""), now, id.cb());
    EXPECT_TRUE(id.r);
    EXPECT_EQ(id.r->error, error_code::member_id_required);
    gc_.join(join_req(id.r->member_id), now, slot.cb());
    return id.r->member_id;
  }

  group_coordinator gc_{{.min_session_timeout_ms = 6000, .max_session_timeout_ms = 1800000,
                         .initial_rebalance_delay_ms = 100}};
};

TEST_F(GroupCoordinator, SingleMemberJoinsAfterTheInitialDelayAndSyncs) {
  join_slot a;
  const std::string id = first_join(a, 0);
  EXPECT_FALSE(a.r) << "answered before the initial rebalance delay";
  gc_.tick(50);
  EXPECT_FALSE(a.r);
  gc_.tick(100);
  ASSERT_TRUE(a.r);
  EXPECT_EQ(a.r->error, error_code::none);
  EXPECT_EQ(a.r->generation_id, 1);
  EXPECT_EQ(a.r->leader, id);
  EXPECT_EQ(a.r->protocol_name, "range");
  ASSERT_EQ(a.r->members.size(), 1u);
  EXPECT_EQ(a.r->members[0].metadata, "meta");

  sync_slot s;
  gc_.sync({"g", 1, id, {{id, "assignment-a"}}}, 110, s.cb());
  ASSERT_TRUE(s.r);
  EXPECT_EQ(s.r->error, error_code::none);
  EXPECT_EQ(s.r->assignment, "assignment-a");
  EXPECT_EQ(gc_.heartbeat("g", 1, id, 120), error_code::none);
  EXPECT_EQ(gc_.describe("g")->state, "Stable");
}

TEST_F(GroupCoordinator, SecondMemberTriggersARebalanceAndFollowersWaitForTheLeader) {
  join_slot a;
  const std::string leader = first_join(a, 0);
  gc_.tick(100);
  sync_slot sa;
  gc_.sync({"g", 1, leader, {{leader, "all"}}}, 100, sa.cb());

  join_slot b;
  const std::string follower = first_join(b, 200);
  EXPECT_FALSE(b.r);
  EXPECT_EQ(gc_.heartbeat("g", 1, leader, 210), error_code::rebalance_in_progress);
  join_slot a2;
  gc_.join(join_req(leader), 220, a2.cb());  // the leader rejoins: everyone is in
  ASSERT_TRUE(a2.r);
  ASSERT_TRUE(b.r);
  EXPECT_EQ(a2.r->generation_id, 2);
  EXPECT_EQ(a2.r->leader, leader);
  EXPECT_EQ(a2.r->members.size(), 2u);
  EXPECT_TRUE(b.r->members.empty());

  sync_slot sb;
  gc_.sync({"g", 2, follower, {}}, 230, sb.cb());
  EXPECT_FALSE(sb.r) << "a follower waits for the leader's assignment";
  EXPECT_EQ(gc_.heartbeat("g", 2, follower, 235), error_code::none);
  sync_slot sa2;
  gc_.sync({"g", 2, leader, {{leader, "p0-3"}, {follower, "p4-7"}}}, 240, sa2.cb());
  ASSERT_TRUE(sb.r);
  EXPECT_EQ(sb.r->assignment, "p4-7");
  EXPECT_EQ(sa2.r->assignment, "p0-3");
}

TEST_F(GroupCoordinator, MembersThatDoNotRejoinAreRemovedAtTheRebalanceDeadline) {
  join_slot a;
  const std::string a_id = first_join(a, 0);
  join_slot b;
  const std::string b_id = first_join(b, 10);
  gc_.tick(200);
  ASSERT_TRUE(a.r && b.r);
  sync_slot s1, s2;
  gc_.sync({"g", 1, b_id, {}}, 210, s2.cb());
  gc_.sync({"g", 1, a.r->leader, {{a_id, "x"}, {b_id, "y"}}}, 210, s1.cb());

  join_slot c;
  first_join(c, 300);  // a new member: rebalance; only a rejoins
  join_slot a2;
  gc_.join(join_req(a_id), 310, a2.cb());
  EXPECT_FALSE(a2.r);
  gc_.tick(300 + 20000);  // the rebalance timeout passes; b did not rejoin
  ASSERT_TRUE(a2.r);
  EXPECT_EQ(a2.r->generation_id, 2);
  ASSERT_TRUE(c.r);
  EXPECT_EQ(gc_.describe("g")->members.size(), 2u);
  EXPECT_EQ(gc_.heartbeat("g", 2, b_id, 20400), error_code::unknown_member_id);
}

TEST_F(GroupCoordinator, SessionExpiryRemovesASilentMember) {
  join_slot a, b;
  const std::string a_id = first_join(a, 0);
  const std::string b_id = first_join(b, 0);
  gc_.tick(100);
  sync_slot sa, sb;
  gc_.sync({"g", 1, b_id, {}}, 100, sb.cb());
  gc_.sync({"g", 1, a.r->leader, {}}, 100, sa.cb());
  for (std::int64_t t = 1000; t <= 12000; t += 1000) EXPECT_NE(gc_.heartbeat("g", 1, a_id, t), error_code::unknown_member_id);
  gc_.tick(10101);  // b silent for more than its 10 s session
  EXPECT_EQ(gc_.heartbeat("g", 1, b_id, 10200), error_code::unknown_member_id);
  EXPECT_EQ(gc_.heartbeat("g", 1, a_id, 10200), error_code::rebalance_in_progress);
}

TEST_F(GroupCoordinator, LeaveTriggersRebalanceAndLastLeaveEmptiesTheGroup) {
  join_slot a;
  const std::string id = first_join(a, 0);
  gc_.tick(100);
  EXPECT_EQ(gc_.leave("g", {id, "nobody"}, 200), (std::vector<error_code>{error_code::none, error_code::unknown_member_id}));
  EXPECT_EQ(gc_.describe("g")->state, "Empty");
  EXPECT_EQ(gc_.may_commit("g", -1, "", 300), error_code::none);  // standalone commits to an empty group
}

TEST_F(GroupCoordinator, Validation) {
  join_slot r;
  auto req = join_req("");
  req.session_timeout_ms = 1000;
  gc_.join(req, 0, r.cb());
  EXPECT_EQ(r.r->error, error_code::invalid_session_timeout);
  req = join_req("");
  req.group_id = "";
  gc_.join(req, 0, r.cb());
  EXPECT_EQ(r.r->error, error_code::invalid_group_id);
  gc_.join(join_req("made-up"), 0, r.cb());
  EXPECT_EQ(r.r->error, error_code::unknown_member_id);

  join_slot a;
  first_join(a, 0);
  join_slot other;
  auto incompatible = join_req("", 3, {{"roundrobin-only", ""}});
  gc_.join(incompatible, 10, other.cb());
  EXPECT_EQ(other.r->error, error_code::inconsistent_group_protocol);
  auto other_type = join_req("", 3);
  other_type.protocol_type = "connect";
  gc_.join(other_type, 10, other.cb());
  EXPECT_EQ(other.r->error, error_code::inconsistent_group_protocol);
}

TEST_F(GroupCoordinator, OldClientsJoinWithoutMemberIdRequired) {
  join_slot a;
  gc_.join(join_req("", 3), 0, a.cb());
  EXPECT_FALSE(a.r);
  gc_.tick(100);
  ASSERT_TRUE(a.r);
  EXPECT_EQ(a.r->error, error_code::none);
  EXPECT_FALSE(a.r->member_id.empty());
}

TEST_F(GroupCoordinator, ProtocolVoteAmongCommonProtocols) {
  join_slot a, b;
  gc_.join(join_req("", 3, {{"range", "ra"}, {"roundrobin", "rra"}}), 0, a.cb());
  gc_.join(join_req("", 3, {{"roundrobin", "rrb"}, {"range", "rb"}}), 0, b.cb());
  gc_.tick(100);
  ASSERT_TRUE(a.r && b.r);
  // One vote each; the tie goes to the first member's preference.
  EXPECT_EQ(a.r->protocol_name, "range");
  const auto& leader_view = a.r->members.empty() ? b.r->members : a.r->members;
  ASSERT_EQ(leader_view.size(), 2u);
  EXPECT_EQ(leader_view[1].metadata, "rb");
}

TEST_F(GroupCoordinator, ShutdownAnswersParkedRequests) {
  join_slot a;
  first_join(a, 0);
  EXPECT_FALSE(a.r);
  gc_.shutdown();
  ASSERT_TRUE(a.r);
  EXPECT_EQ(a.r->error, error_code::coordinator_not_available);
}

TEST_F(GroupCoordinator, CommitChecks) {
  EXPECT_EQ(gc_.may_commit("fresh", -1, "", 0), error_code::none);
  EXPECT_EQ(gc_.may_commit("fresh", 3, "m", 0), error_code::illegal_generation);
  join_slot a;
  const std::string id = first_join(a, 0);
  gc_.tick(100);
  EXPECT_EQ(gc_.may_commit("g", 1, id, 110), error_code::rebalance_in_progress);  // awaiting sync
  sync_slot s;
  gc_.sync({"g", 1, id, {}}, 120, s.cb());
  EXPECT_EQ(gc_.may_commit("g", 1, id, 130), error_code::none);
  EXPECT_EQ(gc_.may_commit("g", 0, id, 130), error_code::illegal_generation);
  EXPECT_EQ(gc_.may_commit("g", 1, "stranger", 130), error_code::unknown_member_id);
}

}  // namespace
}  // namespace tributary::kafka::broker
