#include "admin/health.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace tributary::admin {

void health::register_service(const std::string& name) {
  std::lock_guard lock(mutex_);
  services_.try_emplace(name, false);
}

void health::set_up(const std::string& name, bool up) {
  std::lock_guard lock(mutex_);
  services_[name] = up;
}

void health::begin_shutdown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
}

bool health::ready() const {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return false;
  for (const auto& [name, up] : services_) {
    if (!up) return false;
  }
  return true;
}

std::string health::ready_json() const {
  const bool all_up = ready();
  std::lock_guard lock(mutex_);
  boost::json::array checks;
  for (const auto& [name, up] : services_) {
    checks.push_back(boost::json::object{{"name", name}, {"status", up && !shutting_down_ ? "UP" : "DOWN"}});
  }
  boost::json::object body{{"status", all_up ? "UP" : "DOWN"}, {"checks", std::move(checks)}};
  if (shutting_down_) body["reason"] = "shutting down";
  return boost::json::serialize(body);
}

}  // namespace tributary::admin
