#include "tools/link/campaign.h"

#include <algorithm>
#include <fstream>
#include <map>

#include "engine/answers.h"
#include "tools/link/phone_number.h"

namespace consentflow::link {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr const char* kColumns[] = {"code", "text", "label"};

struct Record {
  uint32_t line = 0;
  std::vector<std::string> fields;
  bool blank() const { return fields.size() == 1 && fields[0].empty(); }
};

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

std::string Where(const std::string& file, uint32_t line) {
  return file + ":" + std::to_string(line) + ": ";
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// RFC 4180 records. Stops at the first broken quote: what follows it cannot be read reliably.
Status SplitRecords(const std::string& file, std::string_view text, std::vector<Record>& out) {
  std::size_t i = text.starts_with(kBom) ? kBom.size() : 0;
  uint32_t line = 1;
  const std::size_t n = text.size();
  auto at_line_end = [&](std::size_t k) {
    return text[k] == '\n' || (text[k] == '\r' && k + 1 < n && text[k + 1] == '\n');
  };
  while (i < n) {
    Record record;
    record.line = line;
    for (;;) {
      std::string field;
      if (i < n && text[i] == '"') {
        const uint32_t opened = line;
        for (++i;; ++i) {
          if (i >= n) {
            return Status::InvalidArgument(Where(file, opened) +
                                           "a quoted field is never closed; end it with '\"'");
          }
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              ++i;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i];
        }
        if (i < n && text[i] != ',' && !at_line_end(i)) {
          return Status::InvalidArgument(
              Where(file, line) +
              "text after a closing quote; a quote inside a quoted field is "
              "written twice: \"say \"\"hi\"\"\"");
        }
      } else {
        for (; i < n && text[i] != ',' && !at_line_end(i); ++i) {
          if (text[i] == '"') {
            return Status::InvalidArgument(
                Where(file, line) +
                "a quote inside a field that does not start with one; put the "
                "whole field in quotes and write the quote twice: \"say \"\"hi\"\"\"");
          }
          field += text[i];
        }
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') {
        ++i;
        ++line;
      }
      break;
    }
    out.push_back(std::move(record));
  }
  return Status::Ok();
}

// Column positions from the header; -1 when absent.
struct Header {
  int code = -1, text = -1, label = -1;
  std::size_t width = 0;
};

Header ReadHeader(const std::string& file, const Record& record, std::vector<std::string>& errors) {
  Header header;
  header.width = record.fields.size();
  if (record.fields.size() == 1 && record.fields[0].find(';') != std::string::npos) {
    errors.push_back(Where(file, record.line) +
                     "the header has no commas but ';': export the sheet as CSV with commas "
                     "between columns, and a header row code,text,label");
    return header;
  }
  for (std::size_t col = 0; col < record.fields.size(); ++col) {
    const std::string name = engine::Fold(record.fields[col]);
    int* slot = name == kColumns[0]   ? &header.code
                : name == kColumns[1] ? &header.text
                : name == kColumns[2] ? &header.label
                                      : nullptr;
    if (!slot) {
      errors.push_back(Where(file, record.line) + "unknown column '" + record.fields[col] +
                       "' in the header; the columns are code, text and label");
    } else if (*slot >= 0) {
      errors.push_back(Where(file, record.line) + "column '" + name +
                       "' is given twice in the header");
    } else {
      *slot = static_cast<int>(col);
    }
  }
  if (header.code < 0 && errors.empty()) {
    errors.push_back(Where(file, record.line) +
                     "the first row must be the header code,text,label (a 'code' column is "
                     "required; text and label may be left out)");
  }
  return header;
}

}  // namespace

Result<Campaign> ParseCampaign(std::string file, std::string_view text) {
  std::vector<Record> records;
  if (Status s = SplitRecords(file, text, records); !s.ok()) return s;
  std::erase_if(records, [](const Record& r) { return r.blank(); });
  if (records.empty()) {
    return Status::InvalidArgument(file +
                                   ": the file is empty; it needs a header row "
                                   "code,text,label and one row per link");
  }
  std::vector<std::string> errors;
  const Header header = ReadHeader(file, records[0], errors);
  if (!errors.empty()) return Status::InvalidArgument(Join(errors));

  Campaign campaign;
  campaign.file = file;
  std::map<std::string, uint32_t> seen;  // folded code -> line
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Record& record = records[r];
    const std::string where = Where(file, record.line);
    if (campaign.rows.size() == kMaxCampaignRows) {
      errors.push_back(where + "more than " + std::to_string(kMaxCampaignRows) +
                       " rows; split the campaign into several files");
      break;
    }
    if (record.fields.size() != header.width) {
      errors.push_back(where + std::to_string(record.fields.size()) +
                       " fields, but the header has " + std::to_string(header.width) +
                       "; put a field that holds a comma in double "
                       "quotes");
      continue;
    }
    CampaignRow row;
    row.line = record.line;
    row.code = Trim(record.fields[header.code]);
    if (header.text >= 0) row.text = Trim(record.fields[header.text]);
    if (header.label >= 0) row.label = Trim(record.fields[header.label]);
    if (row.label.empty()) row.label = row.code;
    if (Status s = CheckLinkCode(row.code); !s.ok()) {
      errors.push_back(where + s.message());
      continue;
    }
    const auto [it, fresh] = seen.emplace(engine::Fold(row.code), row.line);
    if (!fresh) {
      errors.push_back(where + "code \"" + row.code + "\" is already on line " +
                       std::to_string(it->second) + "; give each code one row");
      continue;
    }
    campaign.rows.push_back(std::move(row));
  }
  if (!errors.empty()) return Status::InvalidArgument(Join(errors));
  if (campaign.rows.empty()) {
    return Status::InvalidArgument(file + ": no rows under the header; add one row per link code");
  }
  return campaign;
}

Result<Campaign> LoadCampaign(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open '" + path + "'");
  std::string text(kMaxCampaignBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::NotFound("cannot read '" + path + "'");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxCampaignBytes) {
    return Status::InvalidArgument(path + ": a campaign file may be at most " +
                                   std::to_string(kMaxCampaignBytes / 1024) +
                                   " KiB; split it into several files");
  }
  return ParseCampaign(path, text);
}

Result<std::vector<CampaignLink>> ResolveCampaign(const Campaign& campaign, std::string_view phone,
                                                  const FlowDirectory& flows) {
  if (Result<std::string> digits = NormalizePhoneNumber(phone); !digits) return digits.error();
  std::vector<CampaignLink> links;
  std::vector<std::string> errors;
  for (const CampaignRow& row : campaign.rows) {
    const std::string where = Where(campaign.file, row.line);
    Result<WaLink> link = MakeWaLink(phone, row.code, row.text);
    if (!link) {
      errors.push_back(where + link.error().message());
      continue;
    }
    Result<const dsl::Program*> flow = flows.FlowForLink(row.code, link->text);
    if (!flow) {
      errors.push_back(where + flow.error().message());
      continue;
    }
    links.push_back(CampaignLink{row, std::move(*link), (*flow)->flow_id});
  }
  if (!errors.empty()) return Status::InvalidArgument(Join(errors));
  return links;
}

}  // namespace consentflow::link
