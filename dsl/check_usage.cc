// Declarations that are never used, and fields whose purpose no notice grants.

#include <set>

#include "dsl/check_context.h"

namespace consentflow::dsl {

void CheckUsage(CheckContext& cx) {
  const ast::Flow& flow = cx.flow();
  std::set<std::string_view> granted, used_purposes, consented, stored;
  for (const ast::Notice& notice : flow.notices) {
    for (const ast::Identifier& p : notice.grants) granted.insert(p.name);
  }
  for (const ast::Field& field : flow.fields) used_purposes.insert(field.purpose.name);
  for (const ast::State& state : flow.states) {
    for (const ast::Step& step : state.steps) {
      if (step.kind == ast::StepKind::kConsent) consented.insert(step.notice.name);
      if (step.field && step.kind != ast::StepKind::kCall) stored.insert(step.field->name);
      for (const ast::Identifier& w : step.writes) stored.insert(w.name);
    }
  }
  for (const ast::Field& field : flow.fields) {
    if (cx.FindPurpose(field.purpose.name) && !granted.count(field.purpose.name)) {
      cx.Error(field.purpose.location, "purpose-never-granted",
               "no notice grants purpose '" + field.purpose.name + "', so field '" + field.id.name +
                   "' could never be stored lawfully; add '" + field.purpose.name +
                   "' to the 'grants' line of the notice that asks for it");
    }
    if (!stored.count(field.id.name)) {
      cx.Warning(field.id.location, "unused-field",
                 "field '" + field.id.name + "' is never stored: no ask, choose or call writes it");
    }
  }
  for (const ast::Purpose& purpose : flow.purposes) {
    if (!granted.count(purpose.id.name) && !used_purposes.count(purpose.id.name)) {
      cx.Warning(purpose.id.location, "unused-purpose",
                 "purpose '" + purpose.id.name + "' is granted by no notice and used by no field");
    }
  }
  for (const ast::Notice& notice : flow.notices) {
    if (!consented.count(notice.id.name)) {
      cx.Warning(notice.id.location, "unused-notice",
                 "notice '" + notice.id.name + "' is never asked: no 'consent " + notice.id.name +
                     "' step uses it");
    }
  }
}

}  // namespace consentflow::dsl
