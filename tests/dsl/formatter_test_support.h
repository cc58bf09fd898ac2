#pragma once

// What the formatter's tests share: formatting a text as a file, and the sample files with
// their canonical forms. formatter_test.cc checks the canonical layout of each sample and what
// the formatter refuses; formatter_properties_test.cc checks, over every sample, what
// formatting must never change.

#include <string>
#include <vector>

#include "dsl/formatter.h"

namespace consentflow::dsl::formatter_test {

// Formats `text` as the file "test.flow".
FormatResult Format(const std::string& text);
// The formatted text; fails the test when the formatter refuses.
std::string Formatted(const std::string& text);

// The complete example of the language contract (shared/flow-language.md), copied verbatim,
// and the same example as `fmt` writes it (read from flows/spring_leads.flow).
extern const std::string kContractExample;
std::string ContractExampleFormatted();

// Each sample and its canonical form: every kind of mess; Windows line endings and tabs;
// `"""` strings; `field` and `purpose` tables; runs of trailing comments.
extern const std::string kMessy;
extern const std::string kMessyFormatted;
extern const std::string kCrlfTabs;
extern const std::string kCrlfTabsFormatted;
extern const std::string kTripleStrings;
extern const std::string kTripleStringsFormatted;
extern const std::string kTables;
extern const std::string kTablesFormatted;
extern const std::string kComments;
extern const std::string kCommentsFormatted;

// Every sample above (the inputs, not their canonical forms).
const std::vector<std::string>& AllInputs();

}  // namespace consentflow::dsl::formatter_test
