#include "registry/sqlite_statement.h"

namespace tributary::registry {

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
}

sqlite_statement::sqlite_statement(sqlite_connection& c, std::string_view sql)
    : db_(c.handle()), stmt_(c.prepared(sql)), kept_(true) {}

sqlite_statement::~sqlite_statement() {
  if (!kept_) {
    sqlite3_finalize(stmt_);
  } else if (stmt_) {
    sqlite3_reset(stmt_);  // also ends the read it was part of (a WAL snapshot must not linger)
    sqlite3_clear_bindings(stmt_);
  }
}

sqlite_statement& sqlite_statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, std::int64_t n) {
  sqlite3_bind_int64(stmt_, index, n);
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, double d) {
  sqlite3_bind_double(stmt_, index, d);
  return *this;
}

sqlite_statement& sqlite_statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

sqlite_statement& sqlite_statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

int sqlite_statement::step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_MISUSE; }

std::string sqlite_statement::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::optional<std::string> sqlite_statement::optional_text(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}

std::int64_t sqlite_statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

registry_result<std::unique_ptr<sqlite_connection>> sqlite_connection::open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return registry_fail(registry_errc::unavailable, std::move(message));
  }
  std::unique_ptr<sqlite_connection> c(new sqlite_connection(db));
  sqlite3_busy_timeout(db, 5000);
  // WAL + NORMAL: a commit survives a crash of the process (kill -9); after a power loss the last
  // commits may be lost, never the database's consistency.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (auto r = c->exec(pragma); !r) return fail(r.error());
  }
  return c;
}

sqlite_connection::~sqlite_connection() {
  for (auto& [sql, stmt] : prepared_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* sqlite_connection::prepared(std::string_view sql) {
  auto it = prepared_.find(std::string(sql));
  if (it != prepared_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;  // not kept: the next use tries again (and step() reports SQLITE_MISUSE meanwhile)
  }
  prepared_.emplace(std::string(sql), stmt);
  return stmt;
}

registry_result<void> sqlite_connection::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string statement(sql);
  if (sqlite3_exec(db_, statement.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    return registry_fail(registry_errc::unavailable, "registry database: " + text);
  }
  return {};
}

registry_error sqlite_connection::error(std::string_view what) const {
  return {registry_errc::unavailable, "registry database: " + std::string(what) + ": " + sqlite3_errmsg(db_)};
}

sqlite_transaction::sqlite_transaction(sqlite_connection& c) : c_(c) { began_ = c_.exec("BEGIN IMMEDIATE").ok(); }

sqlite_transaction::~sqlite_transaction() {
  if (began_ && !done_) (void)c_.exec("ROLLBACK");
}

registry_result<void> sqlite_transaction::commit() {
  auto r = c_.exec("COMMIT");
  if (r) done_ = true;
  return r;
}

}  // namespace tributary::registry
