#pragma once

// Shared by the check passes (check_*.cc): the flow, its symbol tables and the diagnostics
// being collected. Internal to dsl/.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dsl/ast.h"
#include "dsl/check.h"
#include "dsl/diagnostic.h"

namespace consentflow::dsl {

class CheckContext {
 public:
  CheckContext(const ast::Flow& flow, const CheckOptions& options);

  const ast::Flow& flow() const { return flow_; }
  const CheckOptions& options() const { return options_; }
  Diagnostics& diagnostics() { return diagnostics_; }

  // The first definition of each name, or nullptr.
  const ast::State* FindState(std::string_view name) const;
  const ast::Field* FindField(std::string_view name) const;
  const ast::Purpose* FindPurpose(std::string_view name) const;
  const ast::Notice* FindNotice(std::string_view name) const;
  int StateIndex(std::string_view name) const;  // -1 when absent

  std::vector<std::string> StateNames() const;
  std::vector<std::string> FieldNames() const;
  std::vector<std::string> PurposeNames() const;
  std::vector<std::string> NoticeNames() const;

  Diagnostic& Error(Location at, std::string code, std::string message);
  Diagnostic& Warning(Location at, std::string code, std::string message);
  static void AddNote(Diagnostic& d, Location at, std::string message);

 private:
  const ast::Flow& flow_;
  const CheckOptions& options_;
  Diagnostics diagnostics_;
  std::unordered_map<std::string_view, std::size_t> states_, fields_, purposes_, notices_;
};

// Is `name` the target that ends the conversation (`-> end`)?
inline bool IsEndTarget(const ast::Identifier& target) { return target.name == "end"; }

void CheckNames(CheckContext& context);   // check_names.cc
void CheckTypes(CheckContext& context);   // check_types.cc
void CheckLimits(CheckContext& context);  // check_limits.cc
void CheckGraph(CheckContext& context);   // check_graph.cc: dead ends, reachability, consent proof
void CheckUsage(CheckContext& context);   // check_usage.cc: unused declarations, ungranted purposes

}  // namespace consentflow::dsl
