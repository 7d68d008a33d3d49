// registry_service: the device registry as the server wires it: the SQLite store, change events,
// management operations, the management HTTP API and the cached lookups for adapters. Owns all of
// them; the pool it is given runs the lookups' store and bcrypt work and must outlive it.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <memory>

#include "registry/lookups.h"
#include "registry/management.h"
#include "registry/management_api.h"
#include "registry/store.h"

namespace tributary::registry {

struct registry_options {
  std::filesystem::path database;  // SQLite file
  credentials_options credentials;
  lookup_options lookups;
  management_api_options api;
};

class registry_service {
 public:
  static registry_result<std::unique_ptr<registry_service>> open(const registry_options& options,
                                                                 boost::asio::thread_pool& blocking);

  change_notifier& events() { return events_; }
  class management& management() { return management_; }
  management_api& api() { return api_; }
  class lookups& lookups() { return lookups_; }

 private:
  registry_service(std::unique_ptr<store> s, const registry_options& options, boost::asio::thread_pool& blocking)
      : store_(std::move(s)),
        management_(*store_, events_, options.credentials),
        api_(management_, options.api),
        lookups_(*store_, events_, blocking, options.lookups) {}

  std::unique_ptr<store> store_;
  change_notifier events_;
  class management management_;
  management_api api_;
  class lookups lookups_;
};

// spec/hono.md §4.5: DEFAULT_TENANT with devices 4711, 4712 (via gw-1) and gw-1, their credentials
// (sensor1/hono-secret, gw/gw-secret, psk sensor1), and HTTP_TENANT. Each tenant is created with its
// contents only when it is absent, so a restart with --demo keeps what users changed.
registry_result<void> load_demo_data(management& m);

}  // namespace tributary::registry
