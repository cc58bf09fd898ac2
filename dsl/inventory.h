#pragma once

// The record of processing activities (GDPR Art. 30) of a set of compiled flows: which personal
// data each flow may store, why, for how long, under which consent notice, and where in the
// conversation it is stored. `consentflow inventory` prints it for the data-protection officer.

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/program.h"

namespace consentflow::dsl {

// One field of one flow, or (when `field` is empty) one purpose of a flow that no field uses:
// consent to a purpose alone, such as a newsletter, which the ledger records for messages the
// business sends later. Purpose-only rows leave field, type, retention and stored_in empty and
// retention_seconds 0.
struct InventoryRow {
  std::string flow;  // flow id
  int64_t flow_version = 1;
  std::string flow_file;  // Program::source_name
  std::string field;      // empty: a purpose-only row
  std::string type;       // with its constraint: "text max 80", "number 0..100000", "email"
  std::string purpose;
  std::string purpose_description;
  std::string retention;  // FormatDuration(retention_seconds): "30 days"
  int64_t retention_seconds = 0;
  std::vector<std::string> notices;    // "privacy v2": the declared notices granting `purpose`
  std::vector<std::string> stored_in;  // states with an ask/choose into the field or a call
                                       // that writes it, in file order

  bool purpose_only() const { return field.empty(); }
};

// For each program in the given order: a row per field in declaration order, then a row per
// purpose that no field uses, in declaration order.
// REQUIRES: every pointer is non-null and came from Compile().
std::vector<InventoryRow> BuildInventory(const std::vector<const Program*>& programs);

// A Markdown document: a title, a table of the fields (one row per field), and a table of the
// purposes without a field with the notices that grant them. Cell text is escaped (`|`, and the
// characters that would start emphasis, code, links or HTML), line breaks become spaces.
std::string InventoryMarkdown(const std::vector<InventoryRow>& rows);

// The same as JSON: {"fields": [...], "purposes_without_fields": [...]}, members in a fixed
// order, two-space indentation, a trailing newline.
std::string InventoryJson(const std::vector<InventoryRow>& rows);

}  // namespace consentflow::dsl
