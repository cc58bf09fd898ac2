#include "tools/consentflow/diagnostic_output.h"

#include <filesystem>
#include <ostream>

#include <nlohmann/json.hpp>

#include "scripting/hook_resolver.h"

namespace consentflow::tools {

dsl::CheckOptions CheckOptionsFor(const std::string& flow_path) {
  dsl::CheckOptions options;
  options.resolve_hooks =
      scripting::MakeHookResolver(std::filesystem::path(flow_path).parent_path().string());
  return options;
}

dsl::LoadedFlow LoadAndReport(const std::string& path, std::ostream& err) {
  dsl::LoadedFlow flow = dsl::LoadFlow(path, CheckOptionsFor(path));
  err << dsl::FormatDiagnostics(flow.source, flow.diagnostics);
  return flow;
}

namespace {

nlohmann::json ToJson(const dsl::SourceFile& source, const dsl::Diagnostic& d) {
  nlohmann::json j;
  j["file"] = source.name;
  j["severity"] = dsl::SeverityName(d.severity);
  j["line"] = d.location.line;
  j["column"] = dsl::DisplayColumn(source.LineAt(d.location.line), d.location.column);
  j["code"] = d.code;
  j["message"] = d.message;
  j["notes"] = nlohmann::json::array();
  for (const dsl::Diagnostic& note : d.notes) j["notes"].push_back(ToJson(source, note));
  return j;
}

}  // namespace

std::string DiagnosticsJson(const std::vector<dsl::LoadedFlow>& flows) {
  nlohmann::json all = nlohmann::json::array();
  for (const dsl::LoadedFlow& flow : flows) {
    for (const dsl::Diagnostic& d : flow.diagnostics) all.push_back(ToJson(flow.source, d));
  }
  return all.dump(2) + "\n";
}

}  // namespace consentflow::tools
