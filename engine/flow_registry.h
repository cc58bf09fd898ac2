#pragma once

// The compiled flows a deployment runs, and routing: which flow a contact's first message (or
// first after `end`) starts.
//
// Routing order: a link code found as a whole word in the text (`entry link`), then an ad
// referral (`entry ad "ID"` for that ad, then a plain `entry ad`), then a keyword found as a whole
// word (`entry keyword`), then the `entry default` flow. Two flows claiming the same code,
// keyword, ad or the default are refused when the second is added, naming both files.
//
// Versions: every version added stays available, so a running conversation continues on the
// version it started with; new conversations take the highest version of a flow.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/program.h"
#include "engine/base/status.h"
#include "engine/event.h"

namespace consentflow::engine {

class FlowRegistry {
 public:
  // Adds a compiled flow. kConflict when it claims an entry another flow already claims, or
  // repeats a (flow, version) already added from another file; the message names both files.
  // A conflict is a start-up error: the registry is not to be used after one.
  Status Add(dsl::ProgramPtr program);

  // The highest version of `flow_id`, or null.
  const dsl::Program* Latest(std::string_view flow_id) const;
  // That very version, or null.
  const dsl::Program* Find(std::string_view flow_id, int64_t version) const;
  // The flow a first message starts, or null when no flow claims it and there is no default.
  const dsl::Program* Route(const InboundMessage& message) const;

  std::vector<const dsl::Program*> LatestVersions() const;

 private:
  struct Claim {
    std::string flow_id;
    std::string file;
  };
  Status ClaimEntry(std::map<std::string, Claim>& claims, const std::string& key,
                    const std::string& what, const dsl::Program& program);

  std::map<std::pair<std::string, int64_t>, dsl::ProgramPtr, std::less<>> versions_;
  std::map<std::string, Claim> links_, keywords_, ads_;  // keys lower-cased
  std::optional<Claim> any_ad_, default_;
};

}  // namespace consentflow::engine
