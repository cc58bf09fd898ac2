#include "engine/server/inbox_writer.h"

namespace consentflow::engine::server {

InboxWriter::InboxWriter(Store& store, std::function<void()> on_submitted, StatusSink on_statuses)
    : store_(store), on_submitted_(std::move(on_submitted)), on_statuses_(std::move(on_statuses)) {}

void InboxWriter::Submit(whatsapp::WebhookBatch batch, Done done) {
  bool refused = false;
  {
    std::lock_guard lock(mu_);
    refused = closed_;
    if (!refused) queue_.push_back(Item{std::move(batch), std::move(done)});
  }
  // Outside the lock: the callbacks may do anything.
  if (refused) return done(Status::Unavailable("the server is stopping"));
  if (on_submitted_) on_submitted_();
}

void InboxWriter::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
}

InboxWriter::Written InboxWriter::Write(const Direct& direct) {
  std::vector<Item> items;
  {
    std::lock_guard lock(mu_);
    items.swap(queue_);
  }
  Written result;
  if (items.empty()) return result;
  std::vector<InboundMessage> messages;
  std::vector<whatsapp::DeliveryUpdate> statuses;
  for (Item& item : items) {
    for (InboundMessage& m : item.batch.messages) messages.push_back(std::move(m));
    for (const whatsapp::ContactChange& change : item.batch.contact_changes) {
      InboundMessage m;
      m.id = change.message_id;
      m.contact = change.old_contact;
      m.time = change.time;
      m.kind = MessageKind::kContactChange;
      m.text = change.new_contact;
      messages.push_back(std::move(m));
    }
    for (whatsapp::DeliveryUpdate& s : item.batch.statuses) statuses.push_back(std::move(s));
    result.answers.push_back(std::move(item.done));
  }
  if (!messages.empty() && direct) {
    // Only while nothing is pending: a message must not overtake an older one of its contact.
    Result<bool> pending = store_.HasPending();
    if (pending && !*pending) {
      Result<std::vector<InboundMessage>> left = direct(messages);
      if (left) messages = std::move(*left);  // else all of them go to the inbox
    }
  }
  if (!messages.empty()) {
    // Which were new does not matter here: the engine processes whatever is pending.
    Result<std::vector<bool>> stored = store_.EnqueueAll(messages, Store::Durability::kDeferred);
    if (!stored) result.status = stored.error();
  }
  if (result.status.ok() && !statuses.empty() && on_statuses_) result.status = on_statuses_(statuses);
  result.commits = store_.Commits();
  return result;
}

void InboxWriter::Answer(Written& written) {
  if (written.answers.empty()) return;
  if (written.status.ok()) written.status = store_.Sync(written.commits);
  for (Done& done : written.answers) done(written.status);
  written.answers.clear();
}

}  // namespace consentflow::engine::server
