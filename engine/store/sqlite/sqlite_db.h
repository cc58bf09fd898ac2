#pragma once

// Internal to engine/store/sqlite/: a thin RAII layer over the SQLite C API, so the store never
// holds a raw sqlite3* or sqlite3_stmt* and every failure comes back as a Status.
//
// Error mapping: SQLITE_BUSY and SQLITE_LOCKED (another connection holds the lock; retrying later
// may succeed) become kUnavailable; every other failure becomes kInternal. Messages carry
// sqlite3_errmsg(), which names tables, columns and constraints but never a bound value.
//
// Threads: none of these types is thread-safe. A Db and the statements, transactions and
// savepoints made from it are used by one thread at a time (the store serialises with a mutex),
// which is why the connection is opened with SQLITE_OPEN_NOMUTEX.
//
// SQL: only constant text is prepared; values always go through Bind*.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "engine/base/result.h"
#include "engine/base/status.h"

namespace consentflow::engine::sqlite {

// The Status for the SQLite result code `rc` while doing `what` on `db` (which may be null).
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement. Parameters and columns are indexed as in SQLite: parameters from 1,
// columns from 0.
class Statement {
 public:
  Statement() : stmt_(nullptr, Release{}) {}

  Status BindInt64(int index, int64_t value);
  // Fails with kInvalidArgument when `value` does not fit SQLite's signed 64-bit integer.
  Status BindUint64(int index, uint64_t value);
  Status BindDouble(int index, double value);
  Status BindText(int index, std::string_view value);  // copied (SQLITE_TRANSIENT)
  Status BindNull(int index);

  // Binds args[i] to parameter i + 1: integers, double, text, std::nullopt or std::optional<T>.
  template <typename... Args>
  Status BindAll(const Args&... args) {
    int index = 0;
    Status status;
    [[maybe_unused]] auto bind = [&](const auto& arg) {
      if (status.ok()) status = BindOne(++index, arg);
    };
    (bind(args), ...);
    return status;
  }

  // Advances: true when a row is ready for the Column* getters, false when the statement is done.
  Result<bool> Step();
  // Steps until done, ignoring any rows (INSERT, UPDATE, DELETE, PRAGMA).
  Status Run();
  // Steps through every row, calling `on_row(statement)` (which returns a Status) for each;
  // stops at the first error, of stepping or of `on_row`.
  template <typename OnRow>
  Status ForEachRow(OnRow on_row) {
    while (true) {
      Result<bool> row = Step();
      if (!row) return row.error();
      if (!*row) return Status::Ok();
      if (Status status = on_row(static_cast<const Statement&>(*this)); !status.ok()) return status;
    }
  }
  // Ready to run again with new bindings.
  void Reset();

  // REQUIRES: the last Step() returned true.
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;  // "" for NULL
  bool ColumnIsNull(int column) const;

 private:
  friend class Db;
  // An owned statement is finalized; a statement borrowed from the Db's cache is reset, its
  // bindings cleared, and handed back.
  struct Release {
    bool* in_use = nullptr;  // the cache entry's flag; null for an owned statement
    void operator()(sqlite3_stmt* stmt) const {
      if (in_use == nullptr) {
        sqlite3_finalize(stmt);
        return;
      }
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      *in_use = false;
    }
  };
  explicit Statement(sqlite3_stmt* stmt, bool* in_use = nullptr) : stmt_(stmt, Release{in_use}) {}

  template <typename T>
  Status BindOne(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      return BindNull(index);
    } else if constexpr (std::is_same_v<T, bool>) {
      return BindInt64(index, value ? 1 : 0);
    } else if constexpr (std::is_floating_point_v<T>) {
      return BindDouble(index, value);
    } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
      return BindUint64(index, value);
    } else if constexpr (std::is_integral_v<T>) {
      return BindInt64(index, value);
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      return BindText(index, value);
    } else {
      // std::optional<U>: NULL when empty.
      return value.has_value() ? BindOne(index, *value) : BindNull(index);
    }
  }

  sqlite3* db() const { return sqlite3_db_handle(stmt_.get()); }

  std::unique_ptr<sqlite3_stmt, Release> stmt_;
};

// One connection.
class Db {
 public:
  // Opens (creating if needed) the database at `path`; ":memory:" is a private in-memory one.
  // Through the VFS named `vfs`; "" = GatheringVfsName() (sqlite_wal_vfs.h), or SQLite's default
  // should that not register.
  static Result<Db> Open(const std::string& path, const std::string& vfs = "");

  Db(Db&&) noexcept = default;
  Db& operator=(Db&&) noexcept = default;

  // Prepares one statement. REQUIRES: `sql` is constant text, never built from values.
  Result<Statement> Prepare(std::string_view sql);
  // Binds `args` (see Statement::BindAll) to the statement of `sql`, prepared once per Db and
  // reused (parsing SQL costs more than running most of ours): a statement ready to Step().
  template <typename... Args>
  Result<Statement> Query(std::string_view sql, const Args&... args) {
    Result<Statement> statement = Cached(sql);
    if (!statement) return statement;
    if (Status status = statement->BindAll(args...); !status.ok()) return status;
    return statement;
  }
  // Prepares `sql`, binds `args` and runs it to completion (INSERT, UPDATE, DELETE).
  template <typename... Args>
  Status Run(std::string_view sql, const Args&... args) {
    Result<Statement> statement = Query(sql, args...);
    return statement ? statement->Run() : statement.error();
  }
  // Runs every statement in `sql` in turn, ignoring rows; for schema scripts and PRAGMAs.
  Status Exec(std::string_view sql);
  // The first column of the first row `sql` returns, as text ("" for no row).
  Result<std::string> QueryText(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_.get()); }
  // True while a transaction is open (including one SQLite has not yet rolled back itself).
  bool InTransaction() const { return sqlite3_get_autocommit(db_.get()) == 0; }

  sqlite3* get() const { return db_.get(); }

 private:
  friend class Transaction;
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Db(sqlite3* db) : db_(db) {}

  // A prepared statement kept for reuse; at most one borrower at a time (a nested use of the
  // same SQL gets a statement of its own).
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
    ~CachedStatement() { sqlite3_finalize(stmt); }
  };
  Result<Statement> Cached(std::string_view sql);

  std::unique_ptr<sqlite3, Closer> db_;
  // Declared after db_, so the statements are finalized before the connection closes. The
  // entries are heap-allocated so their `in_use` flags stay put when the map or the Db moves.
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>> cache_;
  // Set when a Transaction's destructor could not roll back; the next Begin() retries first.
  bool rollback_pending_ = false;
};

// BEGIN in Begin(), COMMIT in Commit(), ROLLBACK in the destructor unless committed. The
// destructor never throws and never reports: a ROLLBACK that fails there is retried by the next
// Transaction::Begin() on the same Db.
class Transaction {
 public:
  enum class Mode {
    kDeferred,   // takes locks as statements need them: for reads
    kImmediate,  // takes the write lock now, so a write never fails half-way with SQLITE_BUSY
  };
  // REQUIRES: no other transaction is open on `db`, and `db` outlives the Transaction.
  static Result<Transaction> Begin(Db& db, Mode mode);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // One durable sync (with synchronous=FULL). After a failure the transaction is rolled back.
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;  // null once committed, rolled back or moved from
};

// SAVEPOINT inside an open transaction: Release() keeps its changes in the transaction,
// RollBack() undoes them and leaves the transaction open; the destructor rolls back unless one
// of the two ran, and never throws.
class Savepoint {
 public:
  // REQUIRES: a Transaction is open on `db`. Savepoints nest (innermost first).
  static Result<Savepoint> Begin(Db& db);

  Savepoint(Savepoint&& other) noexcept;
  Savepoint& operator=(Savepoint&&) = delete;
  ~Savepoint();

  Status Release();
  Status RollBack();

 private:
  explicit Savepoint(Db* db) : db_(db) {}
  Db* db_;  // null once released, rolled back or moved from
};

}  // namespace consentflow::engine::sqlite
