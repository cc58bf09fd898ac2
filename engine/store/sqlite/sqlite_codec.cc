#include "engine/store/sqlite/sqlite_codec.h"

#include <array>
#include <utility>

// Style 1.6: no implicit conversions out of json; every read is an explicit get<T>().
#ifndef JSON_USE_IMPLICIT_CONVERSIONS
#define JSON_USE_IMPLICIT_CONVERSIONS 0
#endif
#include <nlohmann/json.hpp>

namespace consentflow::engine::sqlite {
namespace {

using Json = nlohmann::json;

template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

// One table per enum, used both ways, so a name cannot drift between writing and reading.
constexpr std::array<Named<Phase>, 3> kPhases = {{
    {Phase::kIdle, "idle"},
    {Phase::kWaiting, "waiting"},
    {Phase::kHandoff, "handoff"},
}};
constexpr std::array<Named<TimerKind>, 3> kTimerKinds = {{
    {TimerKind::kNone, "none"},
    {TimerKind::kStepTimeout, "step_timeout"},
    {TimerKind::kFlowTimeout, "flow_timeout"},
}};
constexpr std::array<Named<Decision>, 3> kDecisions = {{
    {Decision::kGranted, "granted"},
    {Decision::kDeclined, "declined"},
    {Decision::kWithdrawn, "withdrawn"},
}};
constexpr std::array<Named<MessageKind>, 8> kMessageKinds = {{
    {MessageKind::kText, "text"},
    {MessageKind::kButtonReply, "button_reply"},
    {MessageKind::kListReply, "list_reply"},
    {MessageKind::kLocation, "location"},
    {MessageKind::kMedia, "media"},
    {MessageKind::kReaction, "reaction"},
    {MessageKind::kContactChange, "contact_change"},
    {MessageKind::kUnsupported, "unsupported"},
}};
constexpr std::array<Named<OutboundMessage::Kind>, 5> kOutboundKinds = {{
    {OutboundMessage::Kind::kText, "text"},
    {OutboundMessage::Kind::kButtons, "buttons"},
    {OutboundMessage::Kind::kList, "list"},
    {OutboundMessage::Kind::kLocationRequest, "location_request"},
    {OutboundMessage::Kind::kTemplate, "template"},
}};
// Index = rank.
constexpr std::array<dsl::ast::Priority, 4> kPriorityByRank = {
    dsl::ast::Priority::kLow, dsl::ast::Priority::kNormal, dsl::ast::Priority::kHigh,
    dsl::ast::Priority::kUrgent};

template <typename Enum, std::size_t N>
const char* NameOf(const std::array<Named<Enum>, N>& table, Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return table[0].name;  // unreachable while every table lists every enumerator
}

template <typename Enum, std::size_t N>
Result<Enum> ValueOf(const std::array<Named<Enum>, N>& table, std::string_view name,
                     std::string_view what) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return Status::Internal("sqlite: an unknown " + std::string(what) + " in the database");
}

// json::dump throws on invalid UTF-8; that is the one failure encoding can have.
Result<std::string> Dump(const Json& json, std::string_view what) {
  try {
    return json.dump();
  } catch (const Json::exception&) {
    return Status::InvalidArgument("sqlite: " + std::string(what) + " is not valid UTF-8");
  }
}

Result<Json> Parse(std::string_view text, std::string_view what) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Status::Internal("sqlite: a stored " + std::string(what) + " is not valid JSON");
  }
  return json;
}

Status Corrupt(std::string_view what, const Json::exception& error) {
  // nlohmann's messages name types and keys, never the values.
  return Status::Internal("sqlite: a stored " + std::string(what) +
                          " is malformed: " + error.what());
}

}  // namespace

const char* PhaseName(Phase phase) { return NameOf(kPhases, phase); }
Result<Phase> ParsePhase(std::string_view name) { return ValueOf(kPhases, name, "phase"); }

const char* TimerKindName(TimerKind kind) { return NameOf(kTimerKinds, kind); }
Result<TimerKind> ParseTimerKind(std::string_view name) {
  return ValueOf(kTimerKinds, name, "timer kind");
}

Result<Decision> ParseDecision(std::string_view name) {
  return ValueOf(kDecisions, name, "decision");
}

int64_t PriorityRank(dsl::ast::Priority priority) {
  for (std::size_t rank = 0; rank < kPriorityByRank.size(); ++rank) {
    if (kPriorityByRank[rank] == priority) return static_cast<int64_t>(rank);
  }
  return 1;  // unreachable while the table lists every priority
}

Result<dsl::ast::Priority> PriorityFromRank(int64_t rank) {
  if (rank < 0 || rank >= static_cast<int64_t>(kPriorityByRank.size())) {
    return Status::Internal("sqlite: unknown handoff priority rank " + std::to_string(rank) +
                            " in the database");
  }
  return kPriorityByRank[static_cast<std::size_t>(rank)];
}

Result<std::string> EncodeStrings(const std::vector<std::string>& strings) {
  return Dump(Json(strings), "a purpose");
}

Result<std::vector<std::string>> DecodeStrings(std::string_view text) {
  Result<Json> json = Parse(text, "list");
  if (!json) return json.error();
  try {
    return json->get<std::vector<std::string>>();
  } catch (const Json::exception& error) {
    return Corrupt("list", error);
  }
}

Result<std::string> EncodeInboundPayload(const InboundMessage& message) {
  Json json = {{"kind", NameOf(kMessageKinds, message.kind)},
               {"text", message.text},
               {"reply_id", message.reply_id}};
  if (message.location) {
    json["location"] = {{"latitude", message.location->latitude},
                        {"longitude", message.location->longitude}};
  }
  if (message.referral) {
    json["referral"] = {{"source_id", message.referral->source_id},
                        {"source_type", message.referral->source_type}};
  }
  if (!message.context_id.empty()) json["context_id"] = message.context_id;
  if (!message.business_number.empty()) json["business_number"] = message.business_number;
  return Dump(json, "an inbound message");
}

Status DecodeInboundPayload(std::string_view text, InboundMessage& message) {
  Result<Json> json = Parse(text, "inbound message");
  if (!json) return json.error();
  try {
    Result<MessageKind> kind =
        ValueOf(kMessageKinds, json->at("kind").get<std::string>(), "message kind");
    if (!kind) return kind.error();
    message.kind = *kind;
    message.text = json->at("text").get<std::string>();
    message.reply_id = json->at("reply_id").get<std::string>();
    message.location.reset();
    if (json->contains("location")) {
      const Json& location = json->at("location");
      message.location =
          GeoPoint{location.at("latitude").get<double>(), location.at("longitude").get<double>()};
    }
    message.referral.reset();
    if (json->contains("referral")) {
      const Json& referral = json->at("referral");
      message.referral = AdReferral{referral.at("source_id").get<std::string>(),
                                    referral.at("source_type").get<std::string>()};
    }
    message.context_id = json->value("context_id", std::string());
    message.business_number = json->value("business_number", std::string());
  } catch (const Json::exception& error) {
    return Corrupt("inbound message", error);
  }
  return Status::Ok();
}

// Written field by field rather than built as a json object first: every reply the engine
// queues is encoded on the commit path, and the object's map nodes and copies were a tenth of
// an event's cost. Each string still goes through nlohmann's escaping (and its UTF-8 check).
// The members are those DecodeOutboundMessage reads; their order is not significant.
Result<std::string> EncodeOutboundMessage(const OutboundMessage& message) {
  try {
    std::string out;
    out.reserve(64 + message.body.size());
    const auto append = [&out](std::string_view text) { out += Json(text).dump(); };
    out += R"({"kind":")";
    out += NameOf(kOutboundKinds, message.kind);
    out += R"(","body":)";
    append(message.body);
    out += R"(,"choices":[)";
    for (std::size_t i = 0; i < message.choices.size(); ++i) {
      out += i == 0 ? R"({"id":)" : R"(,{"id":)";
      append(message.choices[i].id);
      out += R"(,"title":)";
      append(message.choices[i].title);
      out += '}';
    }
    out += R"(],"list_button":)";
    append(message.list_button);
    // Only templates carry these, so every other message is stored as before.
    if (message.kind == OutboundMessage::Kind::kTemplate) {
      out += R"(,"template":{"name":)";
      append(message.template_name);
      out += R"(,"language":)";
      append(message.template_language);
      out += R"(,"params":)";
      out += Json(message.template_params).dump();
      out += '}';
    }
    out += '}';
    return out;
  } catch (const Json::exception&) {
    return Status::InvalidArgument("sqlite: an outbound message is not valid UTF-8");
  }
}

Status DecodeOutboundMessage(std::string_view text, OutboundMessage& message) {
  Result<Json> json = Parse(text, "outbound message");
  if (!json) return json.error();
  try {
    Result<OutboundMessage::Kind> kind =
        ValueOf(kOutboundKinds, json->at("kind").get<std::string>(), "outbound kind");
    if (!kind) return kind.error();
    message.kind = *kind;
    message.body = json->at("body").get<std::string>();
    message.choices.clear();
    for (const Json& choice : json->at("choices")) {
      message.choices.push_back(
          ReplyChoice{choice.at("id").get<std::string>(), choice.at("title").get<std::string>()});
    }
    message.list_button = json->at("list_button").get<std::string>();
    message.template_name.clear();
    message.template_language.clear();
    message.template_params.clear();
    if (message.kind == OutboundMessage::Kind::kTemplate) {
      const Json& t = json->at("template");
      message.template_name = t.at("name").get<std::string>();
      message.template_language = t.at("language").get<std::string>();
      for (const Json& value : t.at("params")) {
        message.template_params.push_back(value.get<std::string>());
      }
    }
  } catch (const Json::exception& error) {
    return Corrupt("outbound message", error);
  }
  return Status::Ok();
}

}  // namespace consentflow::engine::sqlite
