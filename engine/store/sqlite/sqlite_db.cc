#include "engine/store/sqlite/sqlite_db.h"

#include <limits>
#include <utility>

#include "engine/store/sqlite/sqlite_wal_vfs.h"

namespace consentflow::engine::sqlite {
namespace {

// Every savepoint has this one name: SAVEPOINT/RELEASE/ROLLBACK TO act on the innermost
// savepoint of that name, which is exactly the nesting the RAII guard gives.
constexpr std::string_view kSavepoint = "SAVEPOINT sp";
constexpr std::string_view kRelease = "RELEASE sp";
constexpr std::string_view kRollbackTo = "ROLLBACK TO sp";

}  // namespace

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string message = "sqlite: ";
  message += what;
  message += ": ";
  // sqlite3_errmsg describes the most recent failure on `db`; without a handle (or when that
  // has moved on) the generic text for the code is what remains.
  message += db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Status::Unavailable(std::move(message));
  }
  return Status::Internal(std::move(message));
}

// ---- Statement

Status Statement::BindInt64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db(), rc, "bind");
}

Status Statement::BindUint64(int index, uint64_t value) {
  if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument("sqlite: bind: an unsigned value does not fit in 63 bits");
  }
  return BindInt64(index, static_cast<int64_t>(value));
}

Status Statement::BindDouble(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_.get(), index, value);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db(), rc, "bind");
}

Status Statement::BindText(int index, std::string_view value) {
  // data() of an empty string_view may be null, which SQLite would bind as NULL, not ''.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc =
      sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db(), rc, "bind");
}

Status Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_.get(), index);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db(), rc, "bind");
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db(), rc, "step");
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row) return row.error();
    if (!*row) return Status::Ok();
  }
}

void Statement::Reset() {
  // The error sqlite3_reset repeats is the one Step() already reported.
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

double Statement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_.get(), column);
}

std::string Statement::ColumnText(int column) const {
  // Text first, then its length: the order the SQLite documentation prescribes.
  const unsigned char* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return std::string();
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

// ---- Db

namespace {

// Process-wide settings, which SQLite accepts only before its first use. Memory statistics take
// a global mutex around every allocation (a few percent of a commit's time), and nothing here
// reads them. If something else started SQLite first, the defaults stay: slower, still correct.
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

Result<Db> Db::Open(const std::string& path, const std::string& vfs) {
  ConfigureSqliteOnce();
  sqlite3* handle = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc =
      sqlite3_open_v2(path.c_str(), &handle, flags, vfs.empty() ? GatheringVfsName() : vfs.c_str());
  // Even a failed open may allocate a handle; owning it at once closes it on every path.
  Db db(handle);
  if (rc != SQLITE_OK) return SqliteError(handle, rc, "open");
  sqlite3_extended_result_codes(handle, 1);
  return db;
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &stmt, nullptr);
  Statement statement(stmt);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
  if (stmt == nullptr) return Status::Internal("sqlite: prepare: no statement in the SQL text");
  return statement;
}

Result<Statement> Db::Cached(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    auto entry = std::make_unique<CachedStatement>();
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &entry->stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
    if (entry->stmt == nullptr) return Status::Internal("sqlite: prepare: no statement in the SQL text");
    it = cache_.emplace(std::string(sql), std::move(entry)).first;
  }
  CachedStatement& entry = *it->second;
  if (entry.in_use) return Prepare(sql);
  entry.in_use = true;
  return Statement(entry.stmt, &entry.in_use);
}

Status Db::Exec(std::string_view sql) {
  const char* next = sql.data();
  const char* end = sql.data() + sql.size();
  while (next < end) {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_.get(), next, static_cast<int>(end - next), 0, &stmt, &tail);
    Statement statement(stmt);
    if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "prepare");
    next = tail;
    if (stmt == nullptr) continue;  // only whitespace or a comment was left
    if (Status status = statement.Run(); !status.ok()) return status;
  }
  return Status::Ok();
}

Result<std::string> Db::QueryText(std::string_view sql) {
  Result<Statement> statement = Prepare(sql);
  if (!statement) return statement.error();
  Result<bool> row = statement->Step();
  if (!row) return row.error();
  return *row ? statement->ColumnText(0) : std::string();
}

// ---- Transaction

Result<Transaction> Transaction::Begin(Db& db, Mode mode) {
  if (db.rollback_pending_) {
    if (Status status = db.Exec("ROLLBACK"); !status.ok() && db.InTransaction()) return status;
    db.rollback_pending_ = false;
  }
  Status status = db.Run(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!status.ok()) return status;
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite may already have rolled back by itself (after SQLITE_FULL, SQLITE_IOERR, ...).
  if (db_ == nullptr || !db_->InTransaction()) return;
  if (!db_->Exec("ROLLBACK").ok() && db_->InTransaction()) db_->rollback_pending_ = true;
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::Internal("sqlite: commit: the transaction is not open");
  Status status = db_->Run("COMMIT");
  // A failed COMMIT leaves the transaction open; the destructor (or Begin) rolls it back.
  if (status.ok()) db_ = nullptr;
  return status;
}

// ---- Savepoint

Result<Savepoint> Savepoint::Begin(Db& db) {
  if (Status status = db.Run(kSavepoint); !status.ok()) return status;
  return Savepoint(&db);
}

Savepoint::Savepoint(Savepoint&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Savepoint::~Savepoint() {
  if (db_ != nullptr) {
    // Errors cannot be reported from here; the enclosing Transaction still rolls back.
    (void)RollBack();
  }
}

Status Savepoint::Release() {
  if (db_ == nullptr) return Status::Internal("sqlite: release: the savepoint is not open");
  Db* db = std::exchange(db_, nullptr);
  return db->Run(kRelease);
}

Status Savepoint::RollBack() {
  if (db_ == nullptr) return Status::Internal("sqlite: rollback: the savepoint is not open");
  Db* db = std::exchange(db_, nullptr);
  // After an error that made SQLite roll back the whole transaction there is nothing to undo.
  if (!db->InTransaction()) return Status::Ok();
  if (Status status = db->Run(kRollbackTo); !status.ok()) return status;
  return db->Run(kRelease);
}

}  // namespace consentflow::engine::sqlite
