// SqliteStore: agent accounts, their sessions, failed logins and the audit log
// (docs/handoff.md). Passwords and tokens never reach the store: only an Argon2id hash and a
// token's digest do.

#include <string>
#include <utility>
#include <vector>

#include "engine/store/sqlite/sqlite_codec.h"
#include "engine/store/sqlite/sqlite_db.h"
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {

// ---- agents

Status SqliteStore::AddAgent(const handoff::AgentAccount& account) {
  const std::vector<std::string> queues(account.profile.queues.begin(),
                                        account.profile.queues.end());
  Result<std::string> encoded = EncodeStrings(queues);
  if (!encoded) return encoded.error();
  std::lock_guard lock(mu_);
  if (Status s = db_.Run("INSERT INTO agents (name, role, queues, password_hash, created) VALUES "
                         "(?1, ?2, ?3, ?4, ?5) "
                         "ON CONFLICT (name) DO NOTHING",
                         account.profile.name, handoff::RoleName(account.profile.role), *encoded,
                         account.password_hash, ToUnixMillis(account.created));
      !s.ok()) {
    return s;
  }
  if (db_.Changes() == 0)
    return Status::Conflict("an agent named '" + account.profile.name + "' exists");
  return Status::Ok();
}

Result<std::optional<handoff::AgentAccount>> SqliteStore::FindAgent(std::string_view name) {
  std::lock_guard lock(mu_);
  Result<Statement> row = db_.Query(
      "SELECT name, role, queues, password_hash, created FROM agents WHERE name = ?1", name);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  if (!*found) return std::optional<handoff::AgentAccount>();
  handoff::AgentAccount account;
  account.profile.name = row->ColumnText(0);
  const std::optional<handoff::Role> role = handoff::ParseRole(row->ColumnText(1));
  if (!role) return Status::Internal("sqlite: an agent has an unknown role");
  account.profile.role = *role;
  std::vector<std::string> queues;
  if (Status s = Unpack(DecodeStrings(row->ColumnText(2)), queues); !s.ok()) return s;
  account.profile.queues.insert(queues.begin(), queues.end());
  account.password_hash = row->ColumnText(3);
  account.created = FromUnixMillis(row->ColumnInt64(4));
  row->Reset();
  return std::optional<handoff::AgentAccount>(std::move(account));
}

// ---- sessions

Status SqliteStore::CreateSession(std::string_view token_digest, std::string_view agent,
                                  Timestamp expires) {
  std::lock_guard lock(mu_);
  return db_.Run("INSERT INTO agent_sessions (token_digest, agent, expires) VALUES (?1, ?2, ?3)",
                 token_digest, agent, ToUnixMillis(expires));
}

Result<std::optional<std::string>> SqliteStore::SessionAgent(std::string_view token_digest,
                                                             Timestamp now) {
  std::lock_guard lock(mu_);
  Result<Statement> row =
      db_.Query("SELECT agent FROM agent_sessions WHERE token_digest = ?1 AND expires > ?2",
                token_digest, ToUnixMillis(now));
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  std::optional<std::string> agent;
  if (*found) agent = row->ColumnText(0);
  row->Reset();
  return agent;
}

Status SqliteStore::DeleteSession(std::string_view token_digest) {
  std::lock_guard lock(mu_);
  return db_.Run("DELETE FROM agent_sessions WHERE token_digest = ?1", token_digest);
}

// ---- failed logins

Result<handoff::LoginFailures> SqliteStore::LoginFailuresOf(std::string_view key) {
  std::lock_guard lock(mu_);
  Result<Statement> row =
      db_.Query("SELECT failures, last_failure FROM login_failures WHERE key = ?1", key);
  if (!row) return row.error();
  Result<bool> found = row->Step();
  if (!found) return found.error();
  handoff::LoginFailures record;
  if (*found) {
    record.failures = static_cast<uint32_t>(row->ColumnInt64(0));
    record.last_failure = FromUnixMillis(row->ColumnInt64(1));
  }
  row->Reset();
  return record;
}

Status SqliteStore::SetLoginFailures(std::string_view key, const handoff::LoginFailures& record) {
  std::lock_guard lock(mu_);
  if (record.failures == 0 || !record.last_failure) {
    return db_.Run("DELETE FROM login_failures WHERE key = ?1", key);
  }
  return db_.Run(
      "INSERT INTO login_failures (key, failures, last_failure) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
      "last_failure = excluded.last_failure",
      key, record.failures, ToUnixMillis(*record.last_failure));
}

// ---- audit

Result<uint64_t> SqliteStore::AppendAudit(const handoff::AuditEntry& entry) {
  std::lock_guard lock(mu_);
  return InsertAudit(entry);
}

Result<uint64_t> SqliteStore::InsertAudit(const handoff::AuditEntry& e) {
  std::optional<uint64_t> ticket;
  if (e.ticket_id != 0) ticket = e.ticket_id;
  std::optional<std::string> contact;
  if (!e.contact.empty()) contact = e.contact;
  if (Status s = db_.Run("INSERT INTO audit (time, agent, action, ticket_id, contact, detail) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         ToUnixMillis(e.time), e.agent, e.action, ticket, contact, e.detail);
      !s.ok()) {
    return s;
  }
  return static_cast<uint64_t>(db_.LastInsertRowid());
}

Result<std::vector<handoff::AuditEntry>> SqliteStore::ReadAudit(uint64_t after, std::size_t limit) {
  std::lock_guard lock(mu_);
  Result<Statement> rows = db_.Query(
      "SELECT id, time, agent, action, ticket_id, contact, detail FROM audit WHERE id > ?1 "
      "ORDER BY id LIMIT ?2",
      after, SqlLimit(limit));
  if (!rows) return rows.error();
  std::vector<handoff::AuditEntry> entries;
  if (Status s = rows->ForEachRow([&](const Statement& row) {
        handoff::AuditEntry e;
        e.id = static_cast<uint64_t>(row.ColumnInt64(0));
        e.time = FromUnixMillis(row.ColumnInt64(1));
        e.agent = row.ColumnText(2);
        e.action = row.ColumnText(3);
        e.ticket_id = row.ColumnIsNull(4) ? 0 : static_cast<uint64_t>(row.ColumnInt64(4));
        e.contact = row.ColumnText(5);
        e.detail = row.ColumnText(6);
        entries.push_back(std::move(e));
        return Status::Ok();
      });
      !s.ok()) {
    return s;
  }
  return entries;
}

}  // namespace consentflow::engine::sqlite
