#include "dsl/check.h"

#include "dsl/check_context.h"

namespace consentflow::dsl {
namespace {

template <typename T, typename NameOf>
void Index(const std::vector<T>& items, NameOf name_of,
           std::unordered_map<std::string_view, std::size_t>& index) {
  for (std::size_t i = 0; i < items.size(); ++i) index.emplace(name_of(items[i]), i);
}

template <typename T, typename NameOf>
std::vector<std::string> Names(const std::vector<T>& items, NameOf name_of) {
  std::vector<std::string> names;
  for (const T& item : items) names.emplace_back(name_of(item));
  return names;
}

template <typename T>
const T* Lookup(const std::vector<T>& items,
                const std::unordered_map<std::string_view, std::size_t>& index,
                std::string_view name) {
  const auto it = index.find(name);
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

CheckContext::CheckContext(const ast::Flow& flow, const CheckOptions& options)
    : flow_(flow), options_(options) {
  Index(flow.states, [](const ast::State& s) -> std::string_view { return s.id.name; }, states_);
  Index(flow.fields, [](const ast::Field& f) -> std::string_view { return f.id.name; }, fields_);
  Index(flow.purposes, [](const ast::Purpose& p) -> std::string_view { return p.id.name; }, purposes_);
  Index(flow.notices, [](const ast::Notice& n) -> std::string_view { return n.id.name; }, notices_);
}

const ast::State* CheckContext::FindState(std::string_view name) const {
  return Lookup(flow_.states, states_, name);
}
const ast::Field* CheckContext::FindField(std::string_view name) const {
  return Lookup(flow_.fields, fields_, name);
}
const ast::Purpose* CheckContext::FindPurpose(std::string_view name) const {
  return Lookup(flow_.purposes, purposes_, name);
}
const ast::Notice* CheckContext::FindNotice(std::string_view name) const {
  return Lookup(flow_.notices, notices_, name);
}
int CheckContext::StateIndex(std::string_view name) const {
  const auto it = states_.find(name);
  return it == states_.end() ? -1 : static_cast<int>(it->second);
}

std::vector<std::string> CheckContext::StateNames() const {
  return Names(flow_.states, [](const ast::State& s) { return s.id.name; });
}
std::vector<std::string> CheckContext::FieldNames() const {
  return Names(flow_.fields, [](const ast::Field& f) { return f.id.name; });
}
std::vector<std::string> CheckContext::PurposeNames() const {
  return Names(flow_.purposes, [](const ast::Purpose& p) { return p.id.name; });
}
std::vector<std::string> CheckContext::NoticeNames() const {
  return Names(flow_.notices, [](const ast::Notice& n) { return n.id.name; });
}

Diagnostic& CheckContext::Error(Location at, std::string code, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::kError, at, std::move(code), std::move(message), {}});
  return diagnostics_.back();
}
Diagnostic& CheckContext::Warning(Location at, std::string code, std::string message) {
  diagnostics_.push_back(
      Diagnostic{Severity::kWarning, at, std::move(code), std::move(message), {}});
  return diagnostics_.back();
}
void CheckContext::AddNote(Diagnostic& d, Location at, std::string message) {
  d.notes.push_back(Diagnostic{Severity::kNote, at, "", std::move(message), {}});
}

std::size_t WhatsAppLength(std::string_view utf8) {
  std::size_t units = 0;
  for (const char c : utf8) {
    const unsigned char b = static_cast<unsigned char>(c);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    units += (b >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogate pairs in UTF-16
  }
  return units;
}

const std::vector<std::string>& WithdrawalWords() {
  static const std::vector<std::string> words = {"stop",   "unsubscribe", "stopp", "basta",
                                                 "annulla", "arret",      "arrêt", "alto"};
  return words;
}

Diagnostics Check(const ast::Flow& flow, const CheckOptions& options) {
  CheckContext context(flow, options);
  CheckNames(context);
  CheckTypes(context);
  CheckLimits(context);
  CheckGraph(context);
  CheckUsage(context);
  Diagnostics diagnostics = std::move(context.diagnostics());
  SortByLocation(diagnostics);
  return diagnostics;
}

}  // namespace consentflow::dsl
