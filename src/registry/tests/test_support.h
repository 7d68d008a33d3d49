// test_support: a registry over a fresh SQLite file in a temporary directory, for unit tests.
#pragma once

#include <boost/json/parse.hpp>

#include <filesystem>
#include <memory>
#include <random>

#include "registry/management.h"
#include "registry/sqlite_store.h"

namespace tributary::registry::testing {

class temp_registry {
 public:
  temp_registry() {
    dir_ = std::filesystem::temp_directory_path() / ("registry-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    store_ = sqlite_store::open(dir_ / "registry.db").value();
    management_ = std::make_unique<class management>(*store_, events_, credentials_options{4, 10});
  }
  ~temp_registry() {
    management_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  const std::filesystem::path& dir() const { return dir_; }
  sqlite_store& store() { return *store_; }
  change_notifier& events() { return events_; }
  class management& management() { return *management_; }

  // Reopens the database file (as a restart would).
  void reopen() {
    management_.reset();
    store_.reset();
    store_ = sqlite_store::open(dir_ / "registry.db").value();
    management_ = std::make_unique<class management>(*store_, events_, credentials_options{4, 10});
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<sqlite_store> store_;
  change_notifier events_;
  std::unique_ptr<class management> management_;
};

inline boost::json::value json(const char* text) { return boost::json::parse(text); }

}  // namespace tributary::registry::testing
