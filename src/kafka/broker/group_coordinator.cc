#include "kafka/broker/group_coordinator.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace tributary::kafka::broker {
namespace {

void run(std::vector<std::function<void()>>& completions) {
  for (auto& c : completions) c();
}

}  // namespace

group_coordinator::member* group_coordinator::group::find(const std::string& member_id) {
  for (auto& m : members) {
    if (m->id == member_id) return m.get();
  }
  return nullptr;
}

const char* group_coordinator::state_name(state s) {
  switch (s) {
    case state::empty: return "Empty";
    case state::preparing_rebalance: return "PreparingRebalance";
    case state::completing_rebalance: return "CompletingRebalance";
    case state::stable: return "Stable";
  }
  return "Dead";
}

group_coordinator::group& group_coordinator::get_or_create(const std::string& id) {
  auto [it, inserted] = groups_.try_emplace(id);
  if (inserted) it->second.id = id;
  return it->second;
}

group_coordinator::group* group_coordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

std::string group_coordinator::new_member_id(const std::string& client_id) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%08llx-%016llx", static_cast<unsigned long long>(++member_counter_),
                static_cast<unsigned long long>(rng()));
  return (client_id.empty() ? std::string("member") : client_id) + "-" + suffix;
}

bool group_coordinator::supports(const group& g, const member& m) {
  // At least one of m's protocols must be supported by every other member.
  for (const auto& [name, metadata] : m.protocols) {
    const bool everyone = std::all_of(g.members.begin(), g.members.end(), [&](const auto& other) {
      return other.get() == &m || std::any_of(other->protocols.begin(), other->protocols.end(),
                                               [&](const auto& p) { return p.first == name; });
    });
    if (everyone) return true;
  }
  return false;
}

std::string group_coordinator::choose_protocol(const group& g) {
  // Among protocols every member supports, each member votes for its first; most votes wins.
  std::map<std::string, int> votes;
  for (const auto& m : g.members) {
    for (const auto& [name, metadata] : m->protocols) {
      const bool everyone = std::all_of(g.members.begin(), g.members.end(), [&](const auto& other) {
        return std::any_of(other->protocols.begin(), other->protocols.end(), [&](const auto& p) { return p.first == name; });
      });
      if (everyone) {
        ++votes[name];
        break;
      }
    }
  }
  std::string best;
  int best_votes = -1;
  for (const auto& m : g.members.front()->protocols) {  // ties go to the first member's preference
    auto it = votes.find(m.first);
    if (it != votes.end() && it->second > best_votes) {
      best = it->first;
      best_votes = it->second;
    }
  }
  return best;
}

void group_coordinator::join(join_group_request req, std::int64_t now_ms, join_callback done) {
  completions out;
  {
    std::lock_guard lock(mutex_);
    auto answer = [&](error_code e, std::string member_id) {
      join_group_response r;
      r.error = e;
      r.member_id = std::move(member_id);
      r.protocol_type = req.protocol_type;
      out.push_back([done, r] { done(r); });
    };
    if (req.group_id.empty()) {
      answer(error_code::invalid_group_id, req.member_id);
    } else if (req.session_timeout_ms < options_.min_session_timeout_ms ||
               req.session_timeout_ms > options_.max_session_timeout_ms) {
      answer(error_code::invalid_session_timeout, req.member_id);
    } else if (req.protocol_type.empty() || req.protocols.empty()) {
      answer(error_code::inconsistent_group_protocol, req.member_id);
    } else {
      group& g = get_or_create(req.group_id);
      member* existing = req.member_id.empty() ? nullptr : g.find(req.member_id);
      if (!g.members.empty() && g.protocol_type != req.protocol_type) {
        answer(error_code::inconsistent_group_protocol, req.member_id);
      } else if (req.member_id.empty() && req.version >= 4) {
        // KIP-394: hand out the id first; the member joins for real with it.
        const std::string id = new_member_id(req.client_id);
        g.pending_member_ids[id] = now_ms + req.session_timeout_ms;
        answer(error_code::member_id_required, id);
      } else if (!req.member_id.empty() && !existing && !g.pending_member_ids.count(req.member_id)) {
        answer(error_code::unknown_member_id, req.member_id);
      } else {
        const bool is_new = existing == nullptr;
        auto candidate = std::make_unique<member>();
        member& m = is_new ? *candidate : *existing;
        const bool metadata_changed = m.protocols != req.protocols;
        const auto previous_protocols = m.protocols;
        m.protocols = req.protocols;
        if (!supports(g, m)) {
          if (!is_new) m.protocols = previous_protocols;
          answer(error_code::inconsistent_group_protocol, req.member_id);
        } else {
          if (is_new) {
            m.id = req.member_id.empty() ? new_member_id(req.client_id) : req.member_id;
            g.pending_member_ids.erase(m.id);
          }
          m.instance_id = req.group_instance_id;
          m.client_id = req.client_id;
          m.session_timeout_ms = req.session_timeout_ms;
          m.rebalance_timeout_ms = req.rebalance_timeout_ms > 0 ? req.rebalance_timeout_ms : req.session_timeout_ms;
          m.last_heard_ms = now_ms;
          g.protocol_type = req.protocol_type;
          const bool settled = g.st == state::stable || g.st == state::completing_rebalance;
          if (!is_new && settled && !metadata_changed && (g.st == state::completing_rebalance || m.id != g.leader)) {
            // Same member, same metadata, nothing to rebalance: the current generation stands.
            join_group_response r;
            r.generation_id = g.generation;
            r.protocol_type = g.protocol_type;
            r.protocol_name = g.protocol_name;
            r.leader = g.leader;
            r.member_id = m.id;
            if (m.id == g.leader) {
              for (const auto& other : g.members) {
                for (const auto& [name, metadata] : other->protocols) {
                  if (name == g.protocol_name) r.members.push_back({other->id, other->instance_id, metadata});
                }
              }
            }
            out.push_back([done, r] { done(r); });
          } else {
            if (m.pending_join) {
              join_group_response superseded;
              superseded.error = error_code::rebalance_in_progress;
              superseded.member_id = m.id;
              out.push_back([cb = std::move(m.pending_join), superseded] { cb(superseded); });
            }
            m.pending_join = std::move(done);
            if (is_new) g.members.push_back(std::move(candidate));
            if (g.st == state::preparing_rebalance) {
              if (g.initial_delay) {
                g.rebalance_deadline_ms =
                    std::min(now_ms + options_.initial_rebalance_delay_ms, g.initial_delay_cap_ms);
              }
              maybe_complete_join(g, now_ms, out, false);
            } else {
              prepare_rebalance(g, now_ms, out);
            }
          }
        }
      }
    }
  }
  run(out);
}

void group_coordinator::prepare_rebalance(group& g, std::int64_t now_ms, completions& out) {
  if (g.st == state::completing_rebalance) {
    for (auto& m : g.members) {
      if (m->pending_sync) {
        sync_group_response r;
        r.error = error_code::rebalance_in_progress;
        out.push_back([cb = std::move(m->pending_sync), r] { cb(r); });
        m->pending_sync = nullptr;
      }
    }
  }
  std::int64_t rebalance_timeout = 0;
  for (const auto& m : g.members) rebalance_timeout = std::max<std::int64_t>(rebalance_timeout, m->rebalance_timeout_ms);
  g.initial_delay = g.st == state::empty && options_.initial_rebalance_delay_ms > 0;
  if (g.initial_delay) {
    g.initial_delay_cap_ms = now_ms + std::max(rebalance_timeout, options_.initial_rebalance_delay_ms);
    g.rebalance_deadline_ms = now_ms + options_.initial_rebalance_delay_ms;
  } else {
    g.rebalance_deadline_ms = now_ms + rebalance_timeout;
  }
  g.st = state::preparing_rebalance;
  maybe_complete_join(g, now_ms, out, false);
}

void group_coordinator::maybe_complete_join(group& g, std::int64_t now_ms, completions& out, bool deadline_passed) {
  if (g.st != state::preparing_rebalance) return;
  if (g.initial_delay) {
    if (deadline_passed) complete_join(g, now_ms, out);
    return;
  }
  const bool all_joined =
      std::all_of(g.members.begin(), g.members.end(), [](const auto& m) { return static_cast<bool>(m->pending_join); });
  if (all_joined) {
    complete_join(g, now_ms, out);
  } else if (deadline_passed) {
    // Members that did not rejoin in time leave the group.
    std::erase_if(g.members, [&](const auto& m) {
      if (m->pending_join) return false;
      if (m->pending_sync) {
        sync_group_response r;
        r.error = error_code::rebalance_in_progress;
        out.push_back([cb = std::move(m->pending_sync), r] { cb(r); });
      }
      return true;
    });
    complete_join(g, now_ms, out);
  }
}

void group_coordinator::complete_join(group& g, std::int64_t now_ms, completions& out) {
  ++g.generation;
  g.initial_delay = false;
  if (g.members.empty()) {
    g.st = state::empty;
    g.leader.clear();
    g.protocol_name.clear();
    return;
  }
  g.protocol_name = choose_protocol(g);
  if (!g.find(g.leader)) g.leader = g.members.front()->id;
  g.st = state::completing_rebalance;
  for (auto& m : g.members) {
    m->assignment.clear();
    m->last_heard_ms = now_ms;
    join_group_response r;
    r.generation_id = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = g.protocol_name;
    r.leader = g.leader;
    r.member_id = m->id;
    if (m->id == g.leader) {
      for (const auto& other : g.members) {
        for (const auto& [name, metadata] : other->protocols) {
          if (name == g.protocol_name) r.members.push_back({other->id, other->instance_id, metadata});
        }
      }
    }
    out.push_back([cb = std::move(m->pending_join), r] { cb(r); });
    m->pending_join = nullptr;
  }
}

void group_coordinator::sync(sync_group_request req, std::int64_t now_ms, sync_callback done) {
  completions out;
  {
    std::lock_guard lock(mutex_);
    auto answer = [&](error_code e) {
      sync_group_response r;
      r.error = e;
      out.push_back([done, r] { done(r); });
    };
    group* g = req.group_id.empty() ? nullptr : find(req.group_id);
    member* m = g ? g->find(req.member_id) : nullptr;
    if (req.group_id.empty()) {
      answer(error_code::invalid_group_id);
    } else if (!m) {
      answer(error_code::unknown_member_id);
    } else if (req.generation_id != g->generation) {
      answer(error_code::illegal_generation);
    } else if (g->st == state::preparing_rebalance) {
      answer(error_code::rebalance_in_progress);
    } else if (g->st == state::stable) {
      m->last_heard_ms = now_ms;
      sync_group_response r;
      r.protocol_type = g->protocol_type;
      r.protocol_name = g->protocol_name;
      r.assignment = m->assignment;
      out.push_back([done, r] { done(r); });
    } else {  // completing_rebalance: park until the leader's assignment arrives
      m->last_heard_ms = now_ms;
      m->pending_sync = std::move(done);
      if (m->id == g->leader) {
        for (auto& member : g->members) member->assignment.clear();
        for (const auto& [member_id, assignment] : req.assignments) {
          if (member* target = g->find(member_id)) target->assignment = assignment;
        }
        g->st = state::stable;
        for (auto& member : g->members) {
          if (!member->pending_sync) continue;
          sync_group_response r;
          r.protocol_type = g->protocol_type;
          r.protocol_name = g->protocol_name;
          r.assignment = member->assignment;
          out.push_back([cb = std::move(member->pending_sync), r] { cb(r); });
          member->pending_sync = nullptr;
        }
      }
    }
  }
  run(out);
}

error_code group_coordinator::heartbeat(const std::string& group_id, std::int32_t generation_id,
                                        const std::string& member_id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (group_id.empty()) return error_code::invalid_group_id;
  group* g = find(group_id);
  member* m = g ? g->find(member_id) : nullptr;
  if (!m) return error_code::unknown_member_id;
  m->last_heard_ms = now_ms;
  if (g->st == state::preparing_rebalance) return error_code::rebalance_in_progress;
  if (generation_id != g->generation) return error_code::illegal_generation;
  // CompletingRebalance answers NONE, as Kafka 2.4+ does: members may heartbeat right after JoinGroup.
  return error_code::none;
}

void group_coordinator::remove_member(group& g, const std::string& id, std::int64_t now_ms, completions& out) {
  auto it = std::find_if(g.members.begin(), g.members.end(), [&](const auto& m) { return m->id == id; });
  if (it == g.members.end()) return;
  member& m = **it;
  if (m.pending_join) {
    join_group_response r;
    r.error = error_code::unknown_member_id;
    r.member_id = id;
    out.push_back([cb = std::move(m.pending_join), r] { cb(r); });
  }
  if (m.pending_sync) {
    sync_group_response r;
    r.error = error_code::rebalance_in_progress;
    out.push_back([cb = std::move(m.pending_sync), r] { cb(r); });
  }
  g.members.erase(it);
  if (g.leader == id) g.leader.clear();
  if (g.st == state::preparing_rebalance) {
    maybe_complete_join(g, now_ms, out, false);
  } else if (g.st != state::empty) {
    prepare_rebalance(g, now_ms, out);
  }
}

std::vector<error_code> group_coordinator::leave(const std::string& group_id, const std::vector<std::string>& member_ids,
                                                 std::int64_t now_ms) {
  completions out;
  std::vector<error_code> errors;
  {
    std::lock_guard lock(mutex_);
    group* g = group_id.empty() ? nullptr : find(group_id);
    for (const auto& id : member_ids) {
      if (group_id.empty()) {
        errors.push_back(error_code::invalid_group_id);
      } else if (!g || !g->find(id)) {
        errors.push_back(error_code::unknown_member_id);
      } else {
        remove_member(*g, id, now_ms, out);
        errors.push_back(error_code::none);
      }
    }
  }
  run(out);
  return errors;
}

error_code group_coordinator::may_commit(const std::string& group_id, std::int32_t generation_id,
                                         const std::string& member_id, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  if (group_id.empty()) return error_code::invalid_group_id;
  group* g = find(group_id);
  if (!g || g->st == state::empty) {
    return generation_id < 0 ? error_code::none : error_code::illegal_generation;
  }
  member* m = g->find(member_id);
  if (!m) return error_code::unknown_member_id;
  if (generation_id != g->generation) return error_code::illegal_generation;
  if (g->st == state::completing_rebalance) return error_code::rebalance_in_progress;
  m->last_heard_ms = now_ms;
  return error_code::none;
}

void group_coordinator::tick(std::int64_t now_ms) {
  completions out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, g] : groups_) {
      std::erase_if(g.pending_member_ids, [&](const auto& p) { return p.second < now_ms; });
      std::vector<std::string> expired;
      for (const auto& m : g.members) {
        if (!m->pending_join && now_ms - m->last_heard_ms > m->session_timeout_ms) expired.push_back(m->id);
      }
      for (const auto& member_id : expired) remove_member(g, member_id, now_ms, out);
      if (g.st == state::preparing_rebalance && now_ms >= g.rebalance_deadline_ms) {
        maybe_complete_join(g, now_ms, out, true);
      }
    }
  }
  run(out);
}

void group_coordinator::shutdown() {
  completions out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, g] : groups_) {
      for (auto& m : g.members) {
        if (m->pending_join) {
          join_group_response r;
          r.error = error_code::coordinator_not_available;
          r.member_id = m->id;
          out.push_back([cb = std::move(m->pending_join), r] { cb(r); });
          m->pending_join = nullptr;
        }
        if (m->pending_sync) {
          sync_group_response r;
          r.error = error_code::coordinator_not_available;
          out.push_back([cb = std::move(m->pending_sync), r] { cb(r); });
          m->pending_sync = nullptr;
        }
      }
    }
  }
  run(out);
}

std::vector<group_summary> group_coordinator::list() const {
  std::vector<group_summary> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, g] : groups_) {
    out.push_back({g.id, g.protocol_type, state_name(g.st), g.protocol_name, {}});
  }
  return out;
}

std::optional<group_summary> group_coordinator::describe(const std::string& group_id) const {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return std::nullopt;
  const group& g = it->second;
  group_summary s{g.id, g.protocol_type, state_name(g.st), g.protocol_name, {}};
  for (const auto& m : g.members) {
    std::string metadata;
    for (const auto& [name, bytes] : m->protocols) {
      if (name == g.protocol_name) metadata = bytes;
    }
    s.members.push_back({m->id, m->instance_id, m->client_id, "", metadata, m->assignment});
  }
  return s;
}

}  // namespace tributary::kafka::broker
