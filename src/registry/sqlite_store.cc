#include "registry/sqlite_store.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "registry/search_sql.h"

namespace tributary::registry {
namespace {

// Each entry moves the schema from version i to i+1; never edit a released one, append instead.
constexpr const char* migrations[] = {
    R"sql(
    CREATE TABLE tenants (
      id TEXT PRIMARY KEY,
      version TEXT NOT NULL,
      alias TEXT UNIQUE,
      trust_anchor_group TEXT,
      doc TEXT NOT NULL
    );
    CREATE TABLE trusted_cas (
      tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      subject_dn TEXT NOT NULL
    );
    CREATE INDEX trusted_cas_by_subject ON trusted_cas(subject_dn);
    CREATE INDEX trusted_cas_by_tenant ON trusted_cas(tenant_id);
    CREATE TABLE devices (
      tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id TEXT NOT NULL,
      version TEXT NOT NULL,
      credentials_version TEXT NOT NULL,
      created TEXT NOT NULL,
      updated TEXT,
      doc TEXT NOT NULL,
      PRIMARY KEY (tenant_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE credentials (
      tenant_id TEXT NOT NULL,
      device_id TEXT NOT NULL,
      type TEXT NOT NULL,
      auth_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      doc TEXT NOT NULL,
      PRIMARY KEY (tenant_id, type, auth_id),
      FOREIGN KEY (tenant_id, device_id) REFERENCES devices(tenant_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX credentials_by_device ON credentials(tenant_id, device_id, position);
    )sql",
};

std::string to_text(const boost::json::object& doc) { return boost::json::serialize(doc); }

boost::json::object to_object(const std::string& text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  return !ec && v.is_object() ? std::move(v.as_object()) : boost::json::object{};
}

void bind_values(sqlite_statement& s, int& index, const std::vector<boost::json::value>& values) {
  for (const auto& v : values) {
    if (v.is_string()) s.bind(index++, std::string_view(v.get_string()));
    else if (v.is_int64()) s.bind(index++, v.get_int64());
    else if (v.is_uint64()) s.bind(index++, static_cast<double>(v.get_uint64()));
    else s.bind(index++, v.to_number<double>());
  }
}

tenant_record read_tenant_row(sqlite_statement& s, sqlite3* db) {
  tenant_record t;
  t.id = s.text(0);
  t.version = s.text(1);
  t.alias = s.optional_text(2);
  t.trust_anchor_group = s.optional_text(3);
  t.doc = to_object(s.text(4));
  sqlite_statement cas(db, "SELECT subject_dn FROM trusted_cas WHERE tenant_id = ?");
  cas.bind(1, std::string_view(t.id));
  while (cas.step() == SQLITE_ROW) t.trusted_ca_subjects.push_back(cas.text(0));
  return t;
}

constexpr const char* tenant_columns = "t.id, t.version, t.alias, t.trust_anchor_group, t.doc";
constexpr const char* device_columns = "d.tenant_id, d.id, d.version, d.created, d.updated, d.doc";

device_record read_device_row(sqlite_statement& s) {
  device_record d;
  d.tenant_id = s.text(0);
  d.id = s.text(1);
  d.version = s.text(2);
  d.created = s.text(3);
  d.updated = s.optional_text(4);
  d.doc = to_object(s.text(5));
  return d;
}

// Each reader keeps 256 KiB of pages instead of SQLite's default 2 MiB: enough for the interior
// pages of the device and credential indexes, which every lookup walks. The leaf pages a lookup
// reads are a different one per device and the OS page cache holds them anyway; at the default, the
// three readers kept up to 6 MiB of copies of the same pages, which showed as ~270 bytes per
// connected device in bench/mqtt's idle phase (15,000 devices authenticated once each).
constexpr const char* reader_cache_pragma = "PRAGMA cache_size=-256";

registry_error version_mismatch() {
  return {registry_errc::precondition_failed, "resource version does not match the If-Match header"};
}

}  // namespace

registry_result<std::unique_ptr<sqlite_store>> sqlite_store::open(const std::filesystem::path& file) {
  auto db = sqlite_connection::open(file.string());
  if (!db) return fail(db.error());
  std::unique_ptr<sqlite_store> s(new sqlite_store(std::move(*db)));
  if (auto r = s->migrate(); !r) return fail(r.error());
  for (auto& reader : s->readers_) {
    auto c = sqlite_connection::open(file.string());
    if (!c) return fail(c.error());
    if (auto r = (*c)->exec(reader_cache_pragma); !r) return fail(r.error());
    reader.connection = std::move(*c);
  }
  return s;
}

sqlite_store::reader_lease sqlite_store::lease_reader() {
  // Any free reader, else wait for the one a rotating counter picks.
  for (auto& r : readers_) {
    std::unique_lock lock(r.mutex, std::try_to_lock);
    if (lock.owns_lock()) return reader_lease(*r.connection, std::move(lock));
  }
  auto& r = readers_[next_reader_.fetch_add(1, std::memory_order_relaxed) % readers_.size()];
  return reader_lease(*r.connection, std::unique_lock(r.mutex));
}

registry_result<void> sqlite_store::migrate() {
  sqlite_statement version(db_->handle(), "PRAGMA user_version");
  if (version.step() != SQLITE_ROW) return fail(db_->error("reading the schema version"));
  const auto current = version.integer(0);
  const auto latest = static_cast<std::int64_t>(std::size(migrations));
  if (current > latest) {
    return registry_fail(registry_errc::unavailable,
                         "registry database has schema version " + std::to_string(current) + ", newer than this " +
                             "tributary understands (" + std::to_string(latest) + ")");
  }
  for (auto v = current; v < latest; ++v) {
    sqlite_transaction tx(*db_);
    if (!tx.began()) return fail(db_->error("starting a migration"));
    if (auto r = db_->exec(migrations[v]); !r) return r;
    if (auto r = db_->exec("PRAGMA user_version = " + std::to_string(v + 1)); !r) return r;
    if (auto r = tx.commit(); !r) return r;
  }
  return {};
}

// ---- tenants ---------------------------------------------------------------------------------

registry_result<std::optional<std::string>> sqlite_store::tenant_version(std::string_view id) {
  sqlite_statement s(db_->handle(), "SELECT version FROM tenants WHERE id = ?");
  s.bind(1, id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(s.text(0));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return fail(db_->error("reading a tenant"));
}

registry_result<void> sqlite_store::check_trust_anchors(const tenant_record& t) {
  for (const auto& subject : t.trusted_ca_subjects) {
    sqlite_statement s(db_->handle(),
                       "SELECT t.id FROM trusted_cas c JOIN tenants t ON t.id = c.tenant_id "
                       "WHERE c.subject_dn = ? AND t.id <> ? AND (? IS NULL OR t.trust_anchor_group IS NULL "
                       "OR t.trust_anchor_group <> ?) LIMIT 1");
    s.bind(1, std::string_view(subject)).bind(2, std::string_view(t.id)).bind(3, t.trust_anchor_group).bind(4, t.trust_anchor_group);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
      return registry_fail(registry_errc::conflict, "trusted CA subject DN " + subject +
                                                        " is already used by another tenant outside this trust anchor group");
    }
    if (rc != SQLITE_DONE) return fail(db_->error("checking trust anchors"));
  }
  return {};
}

registry_result<void> sqlite_store::write_trust_anchors(const tenant_record& t) {
  sqlite_statement clear(db_->handle(), "DELETE FROM trusted_cas WHERE tenant_id = ?");
  clear.bind(1, std::string_view(t.id));
  if (clear.step() != SQLITE_DONE) return fail(db_->error("writing trust anchors"));
  for (const auto& subject : t.trusted_ca_subjects) {
    sqlite_statement s(db_->handle(), "INSERT INTO trusted_cas (tenant_id, subject_dn) VALUES (?, ?)");
    s.bind(1, std::string_view(t.id)).bind(2, std::string_view(subject));
    if (s.step() != SQLITE_DONE) return fail(db_->error("writing trust anchors"));
  }
  return {};
}

registry_result<void> sqlite_store::create_tenant(const tenant_record& t) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("creating a tenant"));
  auto existing = tenant_version(t.id);
  if (!existing) return fail(existing.error());
  if (*existing) return registry_fail(registry_errc::conflict, "tenant " + t.id + " already exists");
  if (t.alias) {
    sqlite_statement s(db_->handle(), "SELECT id FROM tenants WHERE alias = ?");
    s.bind(1, std::string_view(*t.alias));
    if (s.step() == SQLITE_ROW) return registry_fail(registry_errc::conflict, "tenant alias " + *t.alias + " is already used");
  }
  if (auto r = check_trust_anchors(t); !r) return r;
  sqlite_statement s(db_->handle(), "INSERT INTO tenants (id, version, alias, trust_anchor_group, doc) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, std::string_view(t.id)).bind(2, std::string_view(t.version)).bind(3, t.alias).bind(4, t.trust_anchor_group);
  s.bind(5, std::string_view(to_text(t.doc)));
  if (s.step() != SQLITE_DONE) return fail(db_->error("creating a tenant"));
  if (auto r = write_trust_anchors(t); !r) return r;
  return tx.commit();
}

registry_result<tenant_record> sqlite_store::read_tenant(std::string_view id) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  sqlite_statement s(db, std::string("SELECT ") + tenant_columns + " FROM tenants t WHERE t.id = ?");
  s.bind(1, id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_tenant_row(s, db.handle());
  if (rc == SQLITE_DONE) return registry_fail(registry_errc::not_found, "no such tenant");
  return fail(db.error("reading a tenant"));
}

registry_result<void> sqlite_store::update_tenant(const tenant_record& t, const std::optional<std::string>& expected_version) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("updating a tenant"));
  auto existing = tenant_version(t.id);
  if (!existing) return fail(existing.error());
  if (!*existing) return registry_fail(registry_errc::not_found, "no such tenant");
  if (expected_version && *expected_version != **existing) return fail(version_mismatch());
  if (t.alias) {
    sqlite_statement s(db_->handle(), "SELECT id FROM tenants WHERE alias = ? AND id <> ?");
    s.bind(1, std::string_view(*t.alias)).bind(2, std::string_view(t.id));
    if (s.step() == SQLITE_ROW) return registry_fail(registry_errc::conflict, "tenant alias " + *t.alias + " is already used");
  }
  if (auto r = check_trust_anchors(t); !r) return r;
  sqlite_statement s(db_->handle(), "UPDATE tenants SET version = ?, alias = ?, trust_anchor_group = ?, doc = ? WHERE id = ?");
  s.bind(1, std::string_view(t.version)).bind(2, t.alias).bind(3, t.trust_anchor_group);
  s.bind(4, std::string_view(to_text(t.doc))).bind(5, std::string_view(t.id));
  if (s.step() != SQLITE_DONE) return fail(db_->error("updating a tenant"));
  if (auto r = write_trust_anchors(t); !r) return r;
  return tx.commit();
}

registry_result<void> sqlite_store::delete_tenant(std::string_view id, const std::optional<std::string>& expected_version) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("deleting a tenant"));
  auto existing = tenant_version(id);
  if (!existing) return fail(existing.error());
  if (!*existing) return registry_fail(registry_errc::not_found, "no such tenant");
  if (expected_version && *expected_version != **existing) return fail(version_mismatch());
  // Cascades: trusted_cas and devices by foreign key, credentials through devices.
  sqlite_statement s(db_->handle(), "DELETE FROM tenants WHERE id = ?");
  s.bind(1, id);
  if (s.step() != SQLITE_DONE) return fail(db_->error("deleting a tenant"));
  return tx.commit();
}

registry_result<search_page<tenant_record>> sqlite_store::find_tenants(const search_query& q) {
  auto clauses = translate_search(q, "t", "");
  if (!clauses) return fail(clauses.error());
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  search_page<tenant_record> page;
  sqlite_statement count(db.handle(), "SELECT COUNT(*) FROM tenants t WHERE 1" + clauses->where);
  int index = 1;
  bind_values(count, index, clauses->where_binds);
  if (count.step() != SQLITE_ROW) return fail(db.error("searching tenants"));
  page.total = count.integer(0);
  sqlite_statement s(db.handle(), std::string("SELECT ") + tenant_columns + " FROM tenants t WHERE 1" + clauses->where +
                                        clauses->order_by + " LIMIT ? OFFSET ?");
  index = 1;
  bind_values(s, index, clauses->where_binds);
  bind_values(s, index, clauses->order_binds);
  s.bind(index, static_cast<std::int64_t>(q.page_size));
  s.bind(index + 1, static_cast<std::int64_t>(q.page_offset));
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) page.items.push_back(read_tenant_row(s, db.handle()));
  if (rc != SQLITE_DONE) return fail(db.error("searching tenants"));
  return page;
}

registry_result<tenant_record> sqlite_store::tenant_by_alias(std::string_view alias) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  sqlite_statement s(db.handle(), std::string("SELECT ") + tenant_columns + " FROM tenants t WHERE t.alias = ?");
  s.bind(1, alias);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_tenant_row(s, db.handle());
  if (rc == SQLITE_DONE) return registry_fail(registry_errc::not_found, "no tenant with this alias");
  return fail(db.error("reading a tenant"));
}

registry_result<std::vector<tenant_record>> sqlite_store::tenants_by_trusted_ca(std::string_view subject_dn) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  sqlite_statement s(db.handle(), std::string("SELECT DISTINCT ") + tenant_columns +
                                        " FROM tenants t JOIN trusted_cas c ON c.tenant_id = t.id WHERE c.subject_dn = ? ORDER BY t.id");
  s.bind(1, subject_dn);
  std::vector<tenant_record> found;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) found.push_back(read_tenant_row(s, db.handle()));
  if (rc != SQLITE_DONE) return fail(db.error("reading tenants by trusted CA"));
  return found;
}

// ---- devices ---------------------------------------------------------------------------------

registry_result<std::optional<std::string>> sqlite_store::device_version(sqlite_connection& db, std::string_view tenant,
                                                                          std::string_view id, int column) {
  sqlite_statement s(db.handle(), "SELECT version, credentials_version FROM devices WHERE tenant_id = ? AND id = ?");
  s.bind(1, tenant).bind(2, id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<std::string>(s.text(column));
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  return fail(db.error("reading a device"));
}

registry_result<void> sqlite_store::create_device(const device_record& d, std::int64_t max_devices) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("creating a device"));
  auto tenant = tenant_version(d.tenant_id);
  if (!tenant) return fail(tenant.error());
  if (!*tenant) return registry_fail(registry_errc::not_found, "no such tenant");
  // The limit first, as before and as Hono: a tenant at its limit answers 403 even for an id it has.
  if (max_devices >= 0) {
    sqlite_statement count(db_->handle(), "SELECT COUNT(*) FROM devices WHERE tenant_id = ?");
    count.bind(1, std::string_view(d.tenant_id));
    if (count.step() != SQLITE_ROW) return fail(db_->error("counting devices"));
    if (count.integer(0) >= max_devices) {
      return registry_fail(registry_errc::forbidden,
                           "tenant has reached its limit of " + std::to_string(max_devices) + " devices");
    }
  }
  auto existing = device_version(*db_, d.tenant_id, d.id, 0);
  if (!existing) return fail(existing.error());
  if (*existing) return registry_fail(registry_errc::conflict, "device " + d.id + " already exists");
  sqlite_statement s(db_->handle(),
                     "INSERT INTO devices (tenant_id, id, version, credentials_version, created, updated, doc) "
                     "VALUES (?, ?, ?, ?, ?, NULL, ?)");
  s.bind(1, std::string_view(d.tenant_id)).bind(2, std::string_view(d.id)).bind(3, std::string_view(d.version));
  s.bind(4, std::string_view(d.version)).bind(5, std::string_view(d.created)).bind(6, std::string_view(to_text(d.doc)));
  if (s.step() != SQLITE_DONE) return fail(db_->error("creating a device"));
  return tx.commit();
}

registry_result<device_record> sqlite_store::read_device(std::string_view tenant, std::string_view id) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  sqlite_statement s(db, std::string("SELECT ") + device_columns + " FROM devices d WHERE d.tenant_id = ? AND d.id = ?");
  s.bind(1, tenant).bind(2, id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return read_device_row(s);
  if (rc == SQLITE_DONE) return registry_fail(registry_errc::not_found, "no such device");
  return fail(db.error("reading a device"));
}

registry_result<void> sqlite_store::update_device(const device_record& d, const std::optional<std::string>& expected_version) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("updating a device"));
  auto existing = device_version(*db_, d.tenant_id, d.id, 0);
  if (!existing) return fail(existing.error());
  if (!*existing) return registry_fail(registry_errc::not_found, "no such device");
  if (expected_version && *expected_version != **existing) return fail(version_mismatch());
  sqlite_statement s(db_->handle(), "UPDATE devices SET version = ?, updated = ?, doc = ? WHERE tenant_id = ? AND id = ?");
  s.bind(1, std::string_view(d.version)).bind(2, d.updated).bind(3, std::string_view(to_text(d.doc)));
  s.bind(4, std::string_view(d.tenant_id)).bind(5, std::string_view(d.id));
  if (s.step() != SQLITE_DONE) return fail(db_->error("updating a device"));
  return tx.commit();
}

registry_result<void> sqlite_store::delete_device(std::string_view tenant, std::string_view id,
                                                  const std::optional<std::string>& expected_version) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("deleting a device"));
  auto existing = device_version(*db_, tenant, id, 0);
  if (!existing) return fail(existing.error());
  if (!*existing) return registry_fail(registry_errc::not_found, "no such device");
  if (expected_version && *expected_version != **existing) return fail(version_mismatch());
  sqlite_statement s(db_->handle(), "DELETE FROM devices WHERE tenant_id = ? AND id = ?");
  s.bind(1, tenant).bind(2, id);
  if (s.step() != SQLITE_DONE) return fail(db_->error("deleting a device"));
  return tx.commit();
}

registry_result<void> sqlite_store::delete_all_devices(std::string_view tenant) {
  std::lock_guard lock(mutex_);
  sqlite_statement s(db_->handle(), "DELETE FROM devices WHERE tenant_id = ?");
  s.bind(1, tenant);
  if (s.step() != SQLITE_DONE) return fail(db_->error("deleting devices"));
  return {};
}

registry_result<search_page<device_record>> sqlite_store::find_devices(std::string_view tenant, const search_query& q) {
  auto clauses = translate_search(q, "d", "SELECT v.value FROM devices g, json_each(g.doc, '$.via') v WHERE g.tenant_id = ?1");
  if (!clauses) return fail(clauses.error());
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  search_page<device_record> page;
  // ?1 is the tenant (also used by the gateway subquery); the filter values follow.
  sqlite_statement count(db.handle(), "SELECT COUNT(*) FROM devices d WHERE d.tenant_id = ?1" + clauses->where);
  count.bind(1, tenant);
  int index = 2;
  bind_values(count, index, clauses->where_binds);
  if (count.step() != SQLITE_ROW) return fail(db.error("searching devices"));
  page.total = count.integer(0);
  sqlite_statement s(db.handle(), std::string("SELECT ") + device_columns + " FROM devices d WHERE d.tenant_id = ?1" +
                                        clauses->where + clauses->order_by + " LIMIT ? OFFSET ?");
  s.bind(1, tenant);
  index = 2;
  bind_values(s, index, clauses->where_binds);
  bind_values(s, index, clauses->order_binds);
  s.bind(index, static_cast<std::int64_t>(q.page_size));
  s.bind(index + 1, static_cast<std::int64_t>(q.page_offset));
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) page.items.push_back(read_device_row(s));
  if (rc != SQLITE_DONE) return fail(db.error("searching devices"));
  return page;
}

// ---- credentials -----------------------------------------------------------------------------

registry_result<credentials_record> sqlite_store::read_credentials(std::string_view tenant, std::string_view device) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  auto version = device_version(db, tenant, device, 1);
  if (!version) return fail(version.error());
  if (!*version) return registry_fail(registry_errc::not_found, "no such device");
  credentials_record c;
  c.device_id = std::string(device);
  c.version = **version;
  sqlite_statement s(db.handle(),
                     "SELECT type, auth_id, doc FROM credentials WHERE tenant_id = ? AND device_id = ? ORDER BY position");
  s.bind(1, tenant).bind(2, device);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) c.credentials.push_back({s.text(0), s.text(1), to_object(s.text(2))});
  if (rc != SQLITE_DONE) return fail(db.error("reading credentials"));
  return c;
}

registry_result<void> sqlite_store::replace_credentials(std::string_view tenant, const credentials_record& c,
                                                        const std::optional<std::string>& expected_version) {
  std::lock_guard lock(mutex_);
  sqlite_transaction tx(*db_);
  if (!tx.began()) return fail(db_->error("writing credentials"));
  auto existing = device_version(*db_, tenant, c.device_id, 1);
  if (!existing) return fail(existing.error());
  if (!*existing) return registry_fail(registry_errc::not_found, "no such device");
  if (expected_version && *expected_version != **existing) return fail(version_mismatch());
  sqlite_statement clear(db_->handle(), "DELETE FROM credentials WHERE tenant_id = ? AND device_id = ?");
  clear.bind(1, tenant).bind(2, std::string_view(c.device_id));
  if (clear.step() != SQLITE_DONE) return fail(db_->error("writing credentials"));
  std::int64_t position = 0;
  for (const auto& cred : c.credentials) {
    sqlite_statement s(db_->handle(),
                       "INSERT INTO credentials (tenant_id, device_id, type, auth_id, position, doc) VALUES (?, ?, ?, ?, ?, ?)");
    s.bind(1, tenant).bind(2, std::string_view(c.device_id)).bind(3, std::string_view(cred.type));
    s.bind(4, std::string_view(cred.auth_id)).bind(5, position++).bind(6, std::string_view(to_text(cred.doc)));
    const int rc = s.step();
    if (rc == SQLITE_CONSTRAINT) {
      return registry_fail(registry_errc::conflict, "credentials of type " + cred.type + " with auth-id " + cred.auth_id +
                                                        " belong to another device");
    }
    if (rc != SQLITE_DONE) return fail(db_->error("writing credentials"));
  }
  sqlite_statement v(db_->handle(), "UPDATE devices SET credentials_version = ? WHERE tenant_id = ? AND id = ?");
  v.bind(1, std::string_view(c.version)).bind(2, tenant).bind(3, std::string_view(c.device_id));
  if (v.step() != SQLITE_DONE) return fail(db_->error("writing credentials"));
  return tx.commit();
}

registry_result<credential_owner> sqlite_store::find_credential(std::string_view tenant, std::string_view type,
                                                                std::string_view auth_id) {
  auto reader = lease_reader();
  sqlite_connection& db = reader.connection();
  sqlite_statement s(db, "SELECT device_id, doc FROM credentials WHERE tenant_id = ? AND type = ? AND auth_id = ?");
  s.bind(1, tenant).bind(2, type).bind(3, auth_id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return credential_owner{s.text(0), {std::string(type), std::string(auth_id), to_object(s.text(1))}};
  if (rc == SQLITE_DONE) return registry_fail(registry_errc::not_found, "no such credentials");
  return fail(db.error("reading credentials"));
}

}  // namespace tributary::registry
