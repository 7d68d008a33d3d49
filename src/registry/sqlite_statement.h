// sqlite_statement: RAII for one SQLite connection and its prepared statements, with errors as
// values. Owns nothing else; used by sqlite_store only, under that store's mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "registry/registry_error.h"

namespace tributary::registry {

class sqlite_connection;

class sqlite_statement {
 public:
  sqlite_statement(sqlite3* db, std::string_view sql);
  // The connection's own prepared statement for `sql`, kept between uses (see
  // sqlite_connection::prepared); this use ends with a reset instead of a finalize.
  sqlite_statement(sqlite_connection& c, std::string_view sql);
  ~sqlite_statement();
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  // Binding is 1-based, as in SQLite.
  sqlite_statement& bind(int index, std::string_view text);
  sqlite_statement& bind(int index, std::int64_t n);
  sqlite_statement& bind(int index, double d);
  sqlite_statement& bind_null(int index);
  sqlite_statement& bind(int index, const std::optional<std::string>& text);

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool kept_ = false;  // the connection's: reset, not finalized
};

class sqlite_connection {
 public:
  // Opens (creating) the database file with WAL and foreign keys on.
  static registry_result<std::unique_ptr<sqlite_connection>> open(const std::string& path);
  ~sqlite_connection();

  sqlite3* handle() const { return db_; }
  registry_result<void> exec(std::string_view sql);
  registry_error error(std::string_view what) const;  // unavailable, with SQLite's message
  // `sql` prepared once and kept for the connection's life (null when it does not compile): for
  // the lookups a device's first contact makes, which would otherwise parse and plan the same SQL
  // (about 15 KB of allocations) every time. One user at a time, as for the connection itself.
  sqlite3_stmt* prepared(std::string_view sql);

 private:
  explicit sqlite_connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> prepared_;
};

// BEGIN IMMEDIATE on construction, ROLLBACK on destruction unless commit() succeeded.
class sqlite_transaction {
 public:
  explicit sqlite_transaction(sqlite_connection& c);
  ~sqlite_transaction();
  bool began() const { return began_; }
  registry_result<void> commit();

 private:
  sqlite_connection& c_;
  bool began_ = false;
  bool done_ = false;
};

}  // namespace tributary::registry
