#include "engine/server/inbox_writer.h"

namespace consentflow::engine::server {

InboxWriter::InboxWriter(Store& store, std::function<void(std::size_t)> on_written, StatusSink on_statuses)
    : store_(store), on_written_(std::move(on_written)), on_statuses_(std::move(on_statuses)),
      thread_([this] { Run(); }) {}

InboxWriter::~InboxWriter() { Stop(); }

void InboxWriter::Submit(whatsapp::WebhookBatch batch, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(Item{std::move(batch), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(Status::Unavailable("the server is stopping"));
}

void InboxWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::size_t InboxWriter::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

void InboxWriter::Run() {
  while (true) {
    std::vector<Item> items;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is answered
      items.swap(queue_);
    }
    Write(items);
  }
}

void InboxWriter::Write(std::vector<Item>& items) {
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
  }
  Status status;
  std::size_t fresh = 0;
  if (!messages.empty()) {
    Result<std::vector<bool>> stored = store_.EnqueueAll(messages);
    if (stored) {
      for (const bool is_new : *stored) fresh += is_new ? 1 : 0;
    } else {
      status = stored.error();
    }
  }
  if (status.ok() && !statuses.empty() && on_statuses_) status = on_statuses_(statuses);
  {
    std::lock_guard lock(mu_);
    written_ += fresh;
  }
  for (Item& item : items) item.done(status);
  if (fresh > 0 && on_written_) on_written_(fresh);
}

}  // namespace consentflow::engine::server
