// SqliteStore::MoveContact: a contact changed their number (or business-scoped id).
#include "engine/store/sqlite/sqlite_store_impl.h"

namespace consentflow::engine::sqlite {

Result<bool> SqliteStore::MoveContact(std::string_view from, std::string_view to,
                                      std::string_view message_id) {
  std::lock_guard lock(mu_);
  std::string inbox_contact;
  bool moved = false;
  {
    Result<Transaction> tx = Transaction::Begin(db_, Transaction::Mode::kImmediate);
    if (!tx) return tx.error();
    if (Status s = MarkProcessed(message_id, inbox_contact); !s.ok()) return s;
    Result<Statement> taken = db_.Query(
        "SELECT (SELECT COUNT(*) FROM conversations WHERE contact = ?1), "
        "(SELECT COUNT(*) FROM conversations WHERE contact = ?2)",
        from, to);
    if (!taken) return taken.error();
    Result<bool> row = taken->Step();
    if (!row) return row.error();
    moved = *row && taken->ColumnInt64(0) == 1 && taken->ColumnInt64(1) == 0;
    (void)taken->Run();
    if (moved) {
      // The children's key changes with the parent's: foreign keys are checked at commit.
      if (Status s = db_.Exec("PRAGMA defer_foreign_keys = ON"); !s.ok()) return s;
      for (const char* sql : {
               "UPDATE conversations SET contact = ?2, revision = revision + 1 WHERE contact = ?1",
               "UPDATE field_values SET contact = ?2 WHERE contact = ?1",
               "UPDATE consents SET contact = ?2 WHERE contact = ?1",
               "UPDATE inbox SET contact = ?2 WHERE contact = ?1 AND processed = 0",
               "UPDATE outbox SET contact = ?2 WHERE contact = ?1 AND state = 'pending'",
               // A chat with a person, and its transcript, go on under the new number.
               "UPDATE tickets SET contact = ?2, revision = revision + 1 WHERE contact = ?1",
           }) {
        if (Status s = db_.Run(sql, from, to); !s.ok()) return s;
      }
    }
    if (Status s = tx->Commit(); !s.ok()) return s;
  }
  ReleaseClaim(inbox_contact, message_id);
  return moved;
}

}  // namespace consentflow::engine::sqlite
