#include "engine/flow_registry.h"

#include "engine/answers.h"

namespace consentflow::engine {

Status FlowRegistry::ClaimEntry(std::map<std::string, Claim>& claims, const std::string& key,
                                const std::string& what, const dsl::Program& program) {
  const auto [it, fresh] = claims.emplace(key, Claim{program.flow_id, program.source_name});
  if (fresh || it->second.flow_id == program.flow_id) return Status::Ok();
  return Status::Conflict(program.source_name + ": " + what + " is already claimed by flow '" +
                          it->second.flow_id + "' in " + it->second.file +
                          "; give each flow its own");
}

Status FlowRegistry::Add(dsl::ProgramPtr program) {
  const dsl::Program& p = *program;
  const auto key = std::make_pair(p.flow_id, p.version);
  if (const auto it = versions_.find(key); it != versions_.end()) {
    return Status::Conflict(p.source_name + ": flow '" + p.flow_id + "' version " +
                            std::to_string(p.version) + " is already loaded from " +
                            it->second->source_name + "; raise the version of the changed flow");
  }
  for (const dsl::EntryRule& entry : p.entries) {
    Status claimed = Status::Ok();
    switch (entry.kind) {
      case dsl::ast::EntryKind::kLink:
        claimed = ClaimEntry(links_, Fold(entry.values.at(0)), "link code \"" + entry.values[0] + "\"", p);
        break;
      case dsl::ast::EntryKind::kKeyword:
        for (const std::string& word : entry.values) {
          if (claimed.ok()) claimed = ClaimEntry(keywords_, Fold(word), "keyword \"" + word + "\"", p);
        }
        break;
      case dsl::ast::EntryKind::kAd:
        if (!entry.values.empty()) {
          claimed = ClaimEntry(ads_, entry.values[0], "ad \"" + entry.values[0] + "\"", p);
        } else if (any_ad_ && any_ad_->flow_id != p.flow_id) {
          claimed = Status::Conflict(p.source_name + ": 'entry ad' is already claimed by flow '" +
                                     any_ad_->flow_id + "' in " + any_ad_->file);
        } else {
          any_ad_ = Claim{p.flow_id, p.source_name};
        }
        break;
      case dsl::ast::EntryKind::kDefault:
        if (default_ && default_->flow_id != p.flow_id) {
          claimed = Status::Conflict(p.source_name + ": 'entry default' is already claimed by flow '" +
                                     default_->flow_id + "' in " + default_->file +
                                     "; one flow per deployment takes unclaimed first messages");
        } else {
          default_ = Claim{p.flow_id, p.source_name};
        }
        break;
    }
    if (!claimed.ok()) return claimed;
  }
  versions_.emplace(key, std::move(program));
  return Status::Ok();
}

const dsl::Program* FlowRegistry::Latest(std::string_view flow_id) const {
  const dsl::Program* latest = nullptr;
  for (const auto& [key, program] : versions_) {
    if (key.first == flow_id) latest = program.get();  // the map orders versions ascending
  }
  return latest;
}

const dsl::Program* FlowRegistry::Find(std::string_view flow_id, int64_t version) const {
  const auto it = versions_.find(std::make_pair(std::string(flow_id), version));
  return it == versions_.end() ? nullptr : it->second.get();
}

const dsl::Program* FlowRegistry::Route(const InboundMessage& m) const {
  for (const auto& [code, claim] : links_) {
    if (ContainsWord(m.text, code)) return Latest(claim.flow_id);
  }
  if (m.referral) {
    if (const auto it = ads_.find(m.referral->source_id); it != ads_.end()) {
      return Latest(it->second.flow_id);
    }
    if (any_ad_) return Latest(any_ad_->flow_id);
  }
  for (const auto& [word, claim] : keywords_) {
    if (ContainsWord(m.text, word)) return Latest(claim.flow_id);
  }
  return default_ ? Latest(default_->flow_id) : nullptr;
}

std::vector<const dsl::Program*> FlowRegistry::LatestVersions() const {
  std::vector<const dsl::Program*> latest;
  for (const auto& [key, program] : versions_) {
    if (!latest.empty() && latest.back()->flow_id == key.first) {
      latest.back() = program.get();
    } else {
      latest.push_back(program.get());
    }
  }
  return latest;
}

}  // namespace consentflow::engine
