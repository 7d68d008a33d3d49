// health: which services are up, for GET /health/ready. Services set their own state from any
// thread; the server marks everything down when shutdown begins. Lives as long as the server.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace tributary::admin {

class health {
 public:
  // A service registered here counts against readiness until it reports up.
  void register_service(const std::string& name);
  void set_up(const std::string& name, bool up);
  void begin_shutdown();

  bool ready() const;
  // {"status":"UP"|"DOWN","checks":[{"name":...,"status":...}]}, Vert.x/Hono health-check shape.
  std::string ready_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, bool> services_;
  bool shutting_down_ = false;
};

}  // namespace tributary::admin
