#include "engine/engine.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace consentflow::engine {
namespace {

// Field values past their `keep` are gone before any step can read or re-save them. A handoff
// note was rendered from field values, so it goes with them.
void DropExpired(Conversation& c, Timestamp now) {
  const std::size_t before = c.fields.size();
  for (auto it = c.fields.begin(); it != c.fields.end();) {
    it = it->second.expires <= now ? c.fields.erase(it) : std::next(it);
  }
  if (c.fields.size() != before && c.handoff) c.handoff->note.clear();
}

// ---- handoff tickets (docs/handoff.md)

// A customer's message to a person, as the transcript keeps it; nullopt for what is not a
// message to anyone (a reaction).
std::optional<handoff::TranscriptEntry> CustomerEntry(const InboundMessage& m, Duration retention) {
  handoff::TranscriptEntry entry;
  entry.author = handoff::TranscriptEntry::Author::kCustomer;
  entry.text = m.text;
  switch (m.kind) {
    case MessageKind::kText: entry.kind = "text"; break;
    case MessageKind::kButtonReply: entry.kind = "button"; break;
    case MessageKind::kListReply: entry.kind = "list"; break;
    case MessageKind::kLocation:
      entry.kind = "location";
      if (m.location) {
        entry.text = std::to_string(m.location->latitude) + "," + std::to_string(m.location->longitude);
      }
      break;
    case MessageKind::kMedia: entry.kind = "media"; break;
    case MessageKind::kUnsupported: entry.kind = "unsupported"; break;
    case MessageKind::kReaction:
    case MessageKind::kContactChange: return std::nullopt;
  }
  entry.time = m.time;
  entry.expires = m.time + retention;
  entry.message_id = m.id;
  return entry;
}

// What the event did to the contact's ticket, from the phase before and after it: leaving the
// handoff closes the ticket, entering it opens one (an agent's hand-back to a state that hands
// off again does both), and a message while it stays handed off goes to the transcript.
HandoffUpdate HandoffUpdateFor(Phase before, const Event& event, const Conversation& after,
                               Timestamp now, Duration retention) {
  HandoffUpdate update;
  update.time = now;
  update.keep_until = now + retention;
  const auto* action = std::get_if<AgentAction>(&event);
  const bool parked_before = before == Phase::kHandoff;
  const bool parked_after = after.phase == Phase::kHandoff;
  if (parked_before && (!parked_after || action != nullptr)) {
    update.close_outcome = action == nullptr ? handoff::kOutcomeEnded
                           : action->kind == AgentAction::Kind::kClose ? handoff::kOutcomeClosed
                                                                       : handoff::kOutcomeHandedBack;
  }
  update.open = parked_after && (!parked_before || action != nullptr);
  const auto* message = std::get_if<InboundMessage>(&event);
  if (parked_before && parked_after && message != nullptr) {
    if (auto entry = CustomerEntry(*message, retention)) update.transcript.push_back(std::move(*entry));
  }
  return update;
}

// Tells the console's push what a committed outcome did to its ticket.
void NotifyHandoff(const std::function<void(const handoff::HandoffEvent&)>& notify,
                   const EventOutcome& outcome, const std::string& left_queue) {
  const HandoffUpdate& update = outcome.handoff;
  const Conversation& c = outcome.conversation;
  const std::string queue = c.handoff ? c.handoff->queue : left_queue;
  if (!update.close_outcome.empty()) {
    notify({handoff::HandoffEvent::Kind::kTicketChanged, 0, c.contact, left_queue,
            handoff::TicketStateName(handoff::TicketState::kClosed), ""});
  }
  if (update.open) {
    notify({handoff::HandoffEvent::Kind::kTicketChanged, 0, c.contact, queue,
            handoff::TicketStateName(handoff::TicketState::kWaiting), ""});
  }
  for (std::size_t i = 0; i < update.transcript.size(); ++i) {
    notify({handoff::HandoffEvent::Kind::kMessage, 0, c.contact, queue, "", ""});
  }
}

}  // namespace

Engine::Engine(Store& store, const FlowRegistry& flows, const Clock& clock,
               scripting::ScriptHost* hooks, EngineOptions options)
    : store_(store), flows_(flows), clock_(clock), hooks_(hooks), options_(options) {}

Result<bool> Engine::Receive(const InboundMessage& message) { return store_.Enqueue(message); }

Result<std::vector<bool>> Engine::Receive(const std::vector<InboundMessage>& messages) {
  return store_.EnqueueAll(messages);
}

Result<Conversation> Engine::Load(const std::string& contact) {
  if (const auto it = cache_.find(contact); it != cache_.end()) return it->second;
  Result<std::optional<Conversation>> loaded = store_.LoadConversation(contact);
  if (!loaded) return loaded.error();
  if (*loaded) return std::move(**loaded);
  Conversation fresh;
  fresh.contact = contact;
  return fresh;
}

const dsl::Program* Engine::ProgramFor(Conversation& c, const InboundMessage* first) {
  if (c.phase != Phase::kIdle || first == nullptr) {
    if (const dsl::Program* running = flows_.Find(c.flow_id, c.flow_version)) return running;
    return flows_.Latest(c.flow_id);  // its version is no longer deployed: the newest takes over
  }
  // A new conversation. A withdrawal word is for the flow the contact knows; anything else is
  // routed, and a message no flow claims restarts the contact's previous flow.
  const dsl::Program* program = nullptr;
  if (!c.flow_id.empty() && IsWithdrawal(first->text)) program = flows_.Latest(c.flow_id);
  if (!program) program = flows_.Route(*first);
  if (!program && !c.flow_id.empty()) program = flows_.Latest(c.flow_id);
  if (!program) return nullptr;
  if (program->flow_id != c.flow_id) {
    c.flow_id = program->flow_id;
    c.fields.clear();
    c.consents.clear();
    // A contact the store has no conversation for has no fields or consents in any flow (they
    // belong to the conversation): nothing to read for a first message.
    if (c.revision != 0 && !store_.LoadFlowData(c.flow_id, c).ok()) return nullptr;
  }
  c.flow_version = program->version;
  c.state = program->start;
  c.step = 0;
  return program;
}

Result<Engine::Withdrawal> Engine::WithdrawalElsewhere(const Conversation& conversation) {
  Withdrawal withdrawal;
  Result<std::vector<std::string>> flows = store_.FlowsHoldingData(conversation.contact);
  if (!flows) return flows.error();
  for (const std::string& flow_id : *flows) {
    if (flow_id == conversation.flow_id) continue;
    Conversation other;
    other.contact = conversation.contact;
    if (Status s = store_.LoadFlowData(flow_id, other); !s.ok()) return s;
    const dsl::Program* program = flows_.Latest(flow_id);
    for (const auto& [notice_id, consent] : other.consents) {
      ConsentDecision decision;
      decision.contact = conversation.contact;
      decision.flow_id = flow_id;
      decision.notice_id = notice_id;
      decision.notice_version = consent.version;
      decision.purposes = consent.purposes;
      decision.decision = Decision::kWithdrawn;
      withdrawal.decisions.push_back(std::move(decision));
      for (const std::string& purpose : consent.purposes) {
        std::string description = purpose;
        if (program != nullptr) {
          for (const dsl::ProgramPurpose& p : program->purposes) {
            if (p.id == purpose) description = p.description;
          }
        }
        withdrawal.descriptions.push_back(std::move(description));
      }
    }
    withdrawal.flows.push_back(flow_id);
  }
  return withdrawal;
}

bool Engine::StepInto(Conversation& conversation, const Event& event,
                      const std::string& message_id, std::vector<Pending>& batch,
                      EngineReport& report, Withdrawal* elsewhere) {
  const auto* message = std::get_if<InboundMessage>(&event);
  const dsl::Program* program = ProgramFor(conversation, message);
  Pending pending;
  pending.outcome.message_id = message_id;
  if (program == nullptr) {
    // No flow takes this contact: only the inbox entry is consumed; nothing about the contact is
    // kept (an outcome without a flow saves no conversation).
    ++report.unrouted;
    pending.outcome.conversation.contact = conversation.contact;
    batch.push_back(std::move(pending));
    return false;
  }
  const Timestamp now = clock_.Now();
  // What the store holds for this flow, to skip rewriting it when the event changes nothing.
  // A conversation never saved is written in full.
  const bool fresh = conversation.revision == 0;
  auto fields_before = conversation.fields;
  auto consents_before = conversation.consents;
  DropExpired(conversation, now);
  const Phase phase_before = conversation.phase;
  const std::string queue_before = conversation.handoff ? conversation.handoff->queue : "";
  StepContext context{*program, now, hooks_, options_.max_steps, {}};
  if (elsewhere != nullptr) context.withdrawn_elsewhere = elsewhere->descriptions;
  StepResult result = Step(context, std::move(conversation), event);
  if (result.conversation.phase == Phase::kHandoff && phase_before != Phase::kHandoff &&
      result.conversation.handoff) {
    pending.new_handoff = result.conversation.handoff->queue;
  }
  pending.outcome.handoff = HandoffUpdateFor(phase_before, event, result.conversation, now,
                                             options_.transcript_retention);
  if (!pending.outcome.handoff.close_outcome.empty()) pending.left_queue = queue_before;
  pending.outcome.flow_data_changed = fresh || result.conversation.fields != fields_before ||
                                      result.conversation.consents != consents_before;
  if (pending.outcome.flow_data_changed && !fresh) {
    pending.outcome.stored = EventOutcome::FlowData{std::move(fields_before), std::move(consents_before)};
  }
  conversation = result.conversation;
  pending.outcome.conversation = std::move(result.conversation);
  pending.outcome.decisions = std::move(result.decisions);
  if (elsewhere != nullptr) {
    for (ConsentDecision& d : elsewhere->decisions) {
      d.time = now;
      d.evidence = message_id;
      pending.outcome.decisions.push_back(std::move(d));
    }
    pending.outcome.erase_flows = std::move(elsewhere->flows);
  }
  pending.outcome.outbound = std::move(result.outbound);
  pending.outcome.incidents = std::move(result.incidents);
  pending.flow_errors = std::move(result.flow_errors);
  batch.push_back(std::move(pending));
  // The next event of this contact in the batch sees the revision this commit will store.
  ++conversation.revision;
  return true;
}

Result<EngineReport> Engine::CommitBatch(std::vector<Pending> batch, EngineReport report,
                                         std::vector<std::size_t>* conflicts,
                                         std::vector<std::size_t>* failed) {
  if (batch.empty()) return report;
  std::vector<EventOutcome> outcomes;
  outcomes.reserve(batch.size());
  for (Pending& p : batch) outcomes.push_back(std::move(p.outcome));
  Result<std::vector<Status>> statuses = store_.Commit(outcomes);
  if (!statuses) {
    cache_.clear();
    return statuses.error();
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const Conversation& c = outcomes[i].conversation;
    if (!(*statuses)[i].ok()) {
      cache_.erase(c.contact);
      if (conflicts && (*statuses)[i].code() == StatusCode::kConflict) {
        conflicts->push_back(i);
      } else {
        ++report.failed;
        if (failed) failed->push_back(i);
      }
      continue;
    }
    ++report.handled;
    if (c.flow_id.empty()) continue;
    if (batch[i].read && c.phase != Phase::kHandoff) {
      report.read.push_back(std::move(*batch[i].read));
    }
    // A full cache starts over rather than track recency: a miss costs one load.
    if (cache_.size() >= options_.cache_limit && cache_.count(c.contact) == 0) cache_.clear();
    Conversation saved = c;
    ++saved.revision;
    cache_.insert_or_assign(c.contact, std::move(saved));
    for (std::string& e : batch[i].flow_errors) report.flow_errors.push_back(std::move(e));
    for (const ConsentDecision& d : outcomes[i].decisions) {
      report.consent_decisions.emplace_back(d.notice_id, DecisionName(d.decision));
    }
    if (!batch[i].new_handoff.empty()) report.handoffs.push_back(std::move(batch[i].new_handoff));
    if (options_.on_handoff) NotifyHandoff(options_.on_handoff, outcomes[i], batch[i].left_queue);
  }
  return report;
}

Result<EngineReport> Engine::ProcessPending() {
  Result<std::vector<InboundMessage>> claimed =
      store_.ClaimPending(options_.batch_size, options_.claim_for);
  if (!claimed) return claimed.error();
  return HandleMessages(std::move(*claimed));
}

Result<EngineReport> Engine::ProcessArrived(const std::vector<InboundMessage>& messages,
                                            std::vector<InboundMessage>& not_committed) {
  // A number change moves a contact's data between keys: it keeps its place in the inbox.
  const bool change = std::any_of(messages.begin(), messages.end(), [](const InboundMessage& m) {
    return m.kind == MessageKind::kContactChange;
  });
  if (change) {
    not_committed.insert(not_committed.end(), messages.begin(), messages.end());
    return EngineReport{};
  }
  // Oldest first, as the inbox hands them out: a POST may carry a contact's messages out of
  // order, and concurrent POSTs arrive in any order. Stable: arrival breaks ties.
  std::vector<InboundMessage> ordered = messages;
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const InboundMessage& a, const InboundMessage& b) { return a.time < b.time; });
  return HandleMessages(std::move(ordered), &not_committed);
}

Result<EngineReport> Engine::HandleMessages(std::vector<InboundMessage> messages,
                                            std::vector<InboundMessage>* not_committed) {
  const bool arrived = not_committed != nullptr;
  EngineReport report;
  // A conversation can change under the cache (a retention sweep, another process): such
  // outcomes fail with kConflict and are redone once from what the store holds.
  for (int attempt = 0; attempt < 2 && !messages.empty(); ++attempt) {
    std::vector<Pending> batch;
    std::vector<std::size_t> origin;  // batch[k] came from messages[origin[k]]
    std::unordered_map<std::string, Conversation> working;
    std::unordered_set<std::string> withdrawn;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const InboundMessage& m = messages[i];
      if (m.kind == MessageKind::kContactChange) {
        // Rare: commit what came before it, then move the contact in the store.
        Result<EngineReport> committed = CommitBatch(std::move(batch), report);
        if (!committed) return committed.error();
        report = std::move(*committed);
        batch.clear();
        origin.clear();
        working.clear();
        if (Status moved = MoveContact(m); !moved.ok()) return moved;
        ++report.handled;
        continue;
      }
      auto it = working.find(m.contact);
      if (it == working.end()) {
        Result<Conversation> loaded = Load(m.contact);
        if (!loaded) return loaded.error();
        it = working.emplace(m.contact, std::move(*loaded)).first;
      }
      // A withdrawal word withdraws consent in every flow; once per contact and batch (the
      // store's view of the other flows is from before the batch).
      std::optional<Withdrawal> elsewhere;
      if (m.kind == MessageKind::kText && IsWithdrawal(m.text) && !it->second.flow_id.empty() &&
          withdrawn.insert(m.contact).second) {
        Result<Withdrawal> w = WithdrawalElsewhere(it->second);
        if (!w) return w.error();
        elsewhere = std::move(*w);
      }
      StepInto(it->second, m, m.id, batch, report, elsewhere ? &*elsewhere : nullptr);
      batch.back().read = ReadMark{m.contact, m.id, m.business_number};
      if (arrived) batch.back().outcome.arrival = EventOutcome::Arrival{m.contact, m.time, m.business_number};
      origin.push_back(i);
    }
    std::vector<std::size_t> conflicts;
    std::vector<std::size_t> failed;
    Result<EngineReport> committed = CommitBatch(std::move(batch), report,
                                                 attempt == 0 ? &conflicts : nullptr, &failed);
    if (!committed) return committed.error();
    report = std::move(*committed);
    std::vector<InboundMessage> again;
    for (const std::size_t k : conflicts) again.push_back(std::move(messages[origin[k]]));
    if (arrived) {
      for (const std::size_t k : failed) not_committed->push_back(std::move(messages[origin[k]]));
    }
    messages = std::move(again);
  }
  return report;
}

Status Engine::MoveContact(const InboundMessage& change) {
  cache_.erase(change.contact);
  cache_.erase(change.text);
  Result<bool> moved = store_.MoveContact(change.contact, change.text, change.id);
  // Processed already (a redelivery raced us): nothing to do.
  if (!moved && moved.error().code() == StatusCode::kConflict) return Status::Ok();
  if (!moved) return moved.error();
  return Status::Ok();
}

Result<EngineReport> Engine::FireDueTimers() {
  Result<std::vector<TimerFired>> due = store_.DueTimers(clock_.Now(), options_.batch_size);
  if (!due) return due.error();
  EngineReport report;
  std::vector<Pending> batch;
  for (const TimerFired& timer : *due) {
    Result<Conversation> conversation = Load(timer.contact);
    if (!conversation) return conversation.error();
    StepInto(*conversation, timer, "", batch, report);
  }
  return CommitBatch(std::move(batch), report);
}

Result<EngineReport> Engine::Act(const AgentAction& action) {
  Result<Conversation> conversation = Load(action.contact);
  if (!conversation) return conversation.error();
  // Checked before anything is stepped: the interpreter would end the chat instead.
  if (conversation->phase != Phase::kHandoff) {
    return Status::FailedPrecondition("the conversation is not with a person");
  }
  if (action.kind == AgentAction::Kind::kHandBack) {
    const dsl::Program* program = ProgramFor(*conversation, nullptr);
    if (program == nullptr || !program->FindState(action.state)) {
      return Status::InvalidArgument("the flow has no state '" + action.state + "'");
    }
  }
  EngineReport report;
  std::vector<Pending> batch;
  StepInto(*conversation, action, "", batch, report);
  return CommitBatch(std::move(batch), report);
}

Result<std::size_t> Engine::SweepRetention() {
  Result<std::size_t> erased = store_.EraseExpiredFields(clock_.Now());
  // The sweep raised the revision of every conversation it changed: cached copies are stale.
  if (erased && *erased > 0) cache_.clear();
  if (!erased) return erased;
  // Handed-off chats' transcripts and closed tickets (purpose `support`); no conversation changes.
  Result<std::size_t> transcripts = store_.EraseExpiredHandoffData(clock_.Now());
  if (!transcripts) return transcripts.error();
  if (options_.audit_retention > Duration::zero()) {
    Result<std::size_t> audit = store_.EraseAuditBefore(clock_.Now() - options_.audit_retention);
    if (!audit) return audit.error();
  }
  // Message ids, final outbox entries, incidents: kept only as long as they serve.
  Result<std::size_t> history = store_.PruneHistory(clock_.Now(), options_.history);
  if (!history) return history.error();
  return *erased + *transcripts + *history;
}

}  // namespace consentflow::engine
