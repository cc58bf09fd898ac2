#include "dsl/inventory.h"

#include <charconv>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/value_text.h"

namespace consentflow::dsl {
namespace {

// The type as the flow declares it, constraint included, so the reader sees what is accepted.
std::string TypeText(const ProgramField& field) {
  std::string text = ast::FieldTypeName(field.type);
  switch (field.type) {
    case ast::FieldType::kText:
      text += " max " + std::to_string(field.max_length);
      break;
    case ast::FieldType::kNumber:
    case ast::FieldType::kInteger:
      // Appended piece by piece: `"literal" + std::string` trips g++ 12's -Wrestrict at -O3
      // (GCC bug 105651).
      if (field.min || field.max) {
        text += ' ';
        if (field.min) text += FormatNumber(*field.min);
        text += "..";
        if (field.max) text += FormatNumber(*field.max);
      }
      break;
    default:
      break;
  }
  return text;
}

// "privacy v2" for every declared notice whose `grants` holds `purpose`.
std::vector<std::string> GrantingNotices(const Program& program, PurposeId purpose) {
  std::vector<std::string> notices;
  for (const ProgramNotice& notice : program.notices) {
    for (PurposeId granted : notice.grants) {
      if (granted == purpose) {
        notices.push_back(notice.id + " v" + std::to_string(notice.version));
        break;
      }
    }
  }
  return notices;
}

bool StepStores(const Step& step, FieldId field) {
  switch (step.kind) {
    case ast::StepKind::kAsk:
    case ast::StepKind::kChoose:
      return step.field == field;
    case ast::StepKind::kCall:
      for (FieldId written : step.writes) {
        if (written == field) return true;
      }
      return false;
    default:
      return false;
  }
}

std::vector<std::string> StoringStates(const Program& program, FieldId field) {
  std::vector<std::string> states;
  for (const ProgramState& state : program.states) {
    for (const Step& step : state.steps) {
      if (StepStores(step, field)) {
        states.push_back(state.id);
        break;
      }
    }
  }
  return states;
}

InventoryRow PurposeRow(const Program& program, PurposeId purpose) {
  InventoryRow row;
  row.flow = program.flow_id;
  row.flow_version = program.version;
  row.flow_file = program.source_name;
  if (purpose < program.purposes.size()) {
    row.purpose = program.purposes[purpose].id;
    row.purpose_description = program.purposes[purpose].description;
  }
  row.notices = GrantingNotices(program, purpose);
  return row;
}

void AppendProgram(const Program& program, std::vector<InventoryRow>& rows) {
  std::vector<bool> purpose_used(program.purposes.size(), false);
  for (FieldId id = 0; id < program.fields.size(); ++id) {
    const ProgramField& field = program.fields[id];
    InventoryRow row = PurposeRow(program, field.purpose);
    row.field = field.id;
    row.type = TypeText(field);
    row.retention_seconds = field.keep_seconds;
    row.retention = FormatDuration(field.keep_seconds);
    row.stored_in = StoringStates(program, id);
    rows.push_back(std::move(row));
    if (field.purpose < purpose_used.size()) purpose_used[field.purpose] = true;
  }
  for (PurposeId id = 0; id < program.purposes.size(); ++id) {
    if (!purpose_used[id]) rows.push_back(PurposeRow(program, id));
  }
}

// ---- Markdown ----

// Plain text in a table cell. GFM splits cells at `|` before any other parsing, so it is always
// escaped; the others would start emphasis, code, a link or HTML. A line break would end the
// table row.
std::string TextCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\\':
      case '|':
      case '*':
      case '_':
      case '`':
      case '<':
      case '>':
      case '[':
      case ']':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Names (flow, field, state, notice ids, file names) as code spans, so `first_name` reads as
// written. Inside a table a code span still needs `\|`; a name holding a backtick or a line
// break falls back to plain escaped text.
std::string CodeCell(std::string_view text) {
  if (text.empty()) return "";
  if (text.find_first_of("`\n\r") != std::string_view::npos) return TextCell(text);
  std::string out = "`";
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out + '`';
}

std::string CodeList(const std::vector<std::string>& items) {
  if (items.empty()) return "(none)";
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += CodeCell(item);
  }
  return out;
}

std::string TableRow(const std::vector<std::string>& cells) {
  std::string out = "|";
  for (const std::string& cell : cells) out += " " + cell + " |";
  return out + "\n";
}

std::string TableHeader(const std::vector<std::string>& titles) {
  std::string out = TableRow(titles) + "|";
  for (std::size_t i = 0; i < titles.size(); ++i) out += "---|";
  return out + "\n";
}

std::string FlowCell(const InventoryRow& row) {
  return CodeCell(row.flow) + " v" + std::to_string(row.flow_version);
}

// ---- JSON ----

using Json = nlohmann::ordered_json;

Json FieldJson(const InventoryRow& row) {
  return Json{{"flow", row.flow},
              {"flow_version", row.flow_version},
              {"flow_file", row.flow_file},
              {"field", row.field},
              {"type", row.type},
              {"purpose", row.purpose},
              {"purpose_description", row.purpose_description},
              {"retention", row.retention},
              {"retention_seconds", row.retention_seconds},
              {"notices", row.notices},
              {"stored_in", row.stored_in}};
}

Json PurposeJson(const InventoryRow& row) {
  return Json{{"flow", row.flow},
              {"flow_version", row.flow_version},
              {"flow_file", row.flow_file},
              {"purpose", row.purpose},
              {"purpose_description", row.purpose_description},
              {"notices", row.notices}};
}

}  // namespace

std::vector<InventoryRow> BuildInventory(const std::vector<const Program*>& programs) {
  std::vector<InventoryRow> rows;
  for (const Program* program : programs) {
    if (program != nullptr) AppendProgram(*program, rows);
  }
  return rows;
}

std::string InventoryMarkdown(const std::vector<InventoryRow>& rows) {
  std::string fields, purposes;
  for (const InventoryRow& row : rows) {
    if (row.purpose_only()) {
      purposes += TableRow({FlowCell(row), CodeCell(row.flow_file), CodeCell(row.purpose),
                            TextCell(row.purpose_description), CodeList(row.notices)});
    } else {
      fields +=
          TableRow({FlowCell(row), CodeCell(row.flow_file), CodeCell(row.field), TextCell(row.type),
                    CodeCell(row.purpose), TextCell(row.purpose_description),
                    TextCell(row.retention), CodeList(row.notices), CodeList(row.stored_in)});
    }
  }
  std::string out = "# Record of processing activities (GDPR Art. 30)\n\n";
  out +=
      "Personal data the flows may store, each only after the contact accepted a notice "
      "that grants its purpose, and erased when its retention period ends.\n\n";
  out += "## Personal data\n\n";
  if (fields.empty()) {
    out += "No flow stores personal data.\n";
  } else {
    out += TableHeader({"Flow", "File", "Field", "Type", "Purpose", "Purpose description",
                        "Retention", "Consent notices", "Stored in (states)"}) +
           fields;
  }
  out += "\n## Purposes without stored data\n\n";
  if (purposes.empty()) {
    out += "None.\n";
  } else {
    out +=
        "Consent to these purposes is recorded in the consent ledger; no field is stored "
        "for them.\n\n";
    out += TableHeader({"Flow", "File", "Purpose", "Purpose description", "Consent notices"}) +
           purposes;
  }
  return out;
}

std::string InventoryJson(const std::vector<InventoryRow>& rows) {
  Json fields = Json::array();
  Json purposes = Json::array();
  for (const InventoryRow& row : rows) {
    if (row.purpose_only()) {
      purposes.push_back(PurposeJson(row));
    } else {
      fields.push_back(FieldJson(row));
    }
  }
  const Json document{{"fields", std::move(fields)},
                      {"purposes_without_fields", std::move(purposes)}};
  // dump() throws on invalid UTF-8; `replace` writes U+FFFD for a stray byte instead.
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace consentflow::dsl
