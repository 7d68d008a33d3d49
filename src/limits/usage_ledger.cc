#include "limits/usage_ledger.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace tributary::limits {
namespace {

constexpr std::string_view resource_names[] = {"data-volume", "connection-duration"};

}  // namespace

std::string usage_ledger::key(resource r, std::string_view tenant) {
  std::string k(1, static_cast<char>('0' + static_cast<int>(r)));
  k += tenant;
  return k;
}

usage_ledger::stripe& usage_ledger::stripe_for(const std::string& key) const {
  return stripes_[std::hash<std::string>{}(key) % stripes_.size()];
}

void usage_ledger::add(resource r, std::string_view tenant, time_point window_start, std::int64_t amount) {
  if (amount <= 0) return;
  const std::string k = key(r, tenant);
  stripe& s = stripe_for(k);
  {
    std::lock_guard lock(s.mutex);
    entry& e = s.entries[k];
    if (window_start < e.window_start) return;
    if (window_start > e.window_start) e = entry{window_start, 0};
    e.amount += amount;
  }
  changes_.fetch_add(1, std::memory_order_relaxed);
}

std::int64_t usage_ledger::used(resource r, std::string_view tenant, time_point window_start) const {
  const std::string k = key(r, tenant);
  const stripe& s = stripe_for(k);
  std::lock_guard lock(s.mutex);
  const auto it = s.entries.find(k);
  return it != s.entries.end() && it->second.window_start == window_start ? it->second.amount : 0;
}

boost::json::value usage_ledger::snapshot() const {
  boost::json::array usage;
  for (const auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [k, e] : s.entries) {
      usage.push_back(boost::json::object{{"tenant", k.substr(1)},
                                          {"resource", resource_names[k[0] - '0']},
                                          {"window-start", e.window_start.time_since_epoch().count()},
                                          {"amount", e.amount}});
    }
  }
  return boost::json::object{{"version", 1}, {"usage", std::move(usage)}};
}

bool usage_ledger::restore(const boost::json::value& doc) {
  struct item {
    resource r;
    std::string tenant;
    entry e;
  };
  std::vector<item> items;
  const auto* o = doc.if_object();
  const auto* version = o ? o->if_contains("version") : nullptr;
  const auto* usage = o ? o->if_contains("usage") : nullptr;
  if (!version || !version->is_int64() || version->get_int64() != 1 || !usage || !usage->is_array()) return false;
  for (const auto& u : usage->get_array()) {
    const auto* fields = u.if_object();
    if (!fields) return false;
    const auto* tenant = fields->if_contains("tenant");
    const auto* name = fields->if_contains("resource");
    const auto* start = fields->if_contains("window-start");
    const auto* amount = fields->if_contains("amount");
    if (!tenant || !tenant->is_string() || !name || !name->is_string() || !start || !start->is_int64() || !amount ||
        !amount->is_int64()) {
      return false;
    }
    std::optional<resource> r;
    for (std::size_t i = 0; i < std::size(resource_names); ++i) {
      if (name->get_string() == resource_names[i]) r = static_cast<resource>(i);
    }
    if (!r) return false;
    items.push_back({*r, std::string(tenant->get_string()),
                     entry{time_point{std::chrono::seconds(start->get_int64())}, amount->get_int64()}});
  }
  for (const auto& i : items) add(i.r, i.tenant, i.e.window_start, i.e.amount);
  return true;
}

}  // namespace tributary::limits
