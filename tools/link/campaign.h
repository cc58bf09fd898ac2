#pragma once

// A campaign file: one row per link code, with the text the link prefills and a label for the
// printed sheet. CSV (RFC 4180), UTF-8, a header row naming the columns:
//
//   code,text,label
//   SPRING24,"Hi! I'd like the ski offer",Flyer — ski shops
//   TESTDRIVE,,Showroom window
//
// `code` is required; `text` (default: the code alone) and `label` (default: the code) may be
// left out of the header or left empty. Quoted fields may hold commas, doubled quotes ("") and
// line breaks. A byte-order mark and CRLF line endings (what spreadsheets export) are accepted.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"
#include "tools/link/flow_directory.h"
#include "tools/link/wa_link.h"

namespace consentflow::link {

inline constexpr std::size_t kMaxCampaignBytes = 1024 * 1024;
inline constexpr std::size_t kMaxCampaignRows = 1000;

struct CampaignRow {
  uint32_t line = 0;  // where the row starts in the file (1-based)
  std::string code;   // spaces around it removed
  std::string text;
  std::string label;  // the code when the file gives none
};

struct Campaign {
  std::string file;  // the name used in messages
  std::vector<CampaignRow> rows;
};

// Parses `text`, named `file` in messages. kInvalidArgument with every problem found, one per
// line, each "FILE:LINE: what is wrong; what to do": a broken quote (reading stops there), a
// header without `code` or with an unknown column, a row with a different number of fields than
// the header, an empty or invalid code, a code given twice (case-insensitive), too many rows.
Result<Campaign> ParseCampaign(std::string file, std::string_view text);

// Reads and parses `path` (at most kMaxCampaignBytes).
Result<Campaign> LoadCampaign(const std::string& path);

// A checked row: its link, and the flow the link starts.
struct CampaignLink {
  CampaignRow row;
  WaLink link;
  std::string flow_id;
};

// Builds every row's link to `phone` and checks it against `flows`: the code belongs to a flow,
// and a message with the prefilled text starts that flow. kInvalidArgument with every problem,
// one per line, "FILE:LINE: ..." (a bad phone number is one message without a line).
Result<std::vector<CampaignLink>> ResolveCampaign(const Campaign& campaign, std::string_view phone,
                                                  const FlowDirectory& flows);

}  // namespace consentflow::link
