// BuildInventory() and its Markdown and JSON forms on the contract's complete example: the
// record of processing a data-protection officer reads.

#include "dsl/inventory.h"

#include "tests/dsl/contract_example.h"
#include "tests/dsl/test_flows.h"

#include "dsl/value_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/diagnostic.h"
#include "dsl/loader.h"
#include "dsl/source.h"

namespace consentflow::dsl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The complete example of the language contract (shared/flow-language.md), verbatim.
const std::string_view kSpringLeads = testing::kContractExample;

constexpr std::string_view kFileName = "flows/spring_leads.flow";

using testing::Replace;

ProgramPtr Load(std::string_view text, std::string_view name = kFileName) {
  return testing::CompileProgram(text, name);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Cell separators of a Markdown table row: the `|`s not escaped by a backslash.
int CountSeparators(std::string_view row) {
  int count = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++count;
    }
  }
  return count;
}

class InventoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = Load(kSpringLeads);
    ASSERT_NE(program_, nullptr);
    rows_ = BuildInventory({program_.get()});
  }

  const InventoryRow* Row(std::string_view field) const {
    for (const InventoryRow& row : rows_) {
      if (!row.purpose_only() && row.field == field) return &row;
    }
    ADD_FAILURE() << "no row for " << field;
    return nullptr;
  }

  ProgramPtr program_;
  std::vector<InventoryRow> rows_;
};

TEST_F(InventoryTest, HasOneRowPerFieldThenThePurposesWithoutField) {
  ASSERT_EQ(rows_.size(), 5u);
  std::vector<std::string> fields;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(rows_[i].purpose_only());
    fields.push_back(rows_[i].field);
  }
  EXPECT_THAT(fields, ElementsAre("name", "email", "interest", "budget"));
  EXPECT_TRUE(rows_[4].purpose_only());
}

TEST_F(InventoryTest, FieldRowsSayWhyHowLongAndUnderWhichNotice) {
  for (const InventoryRow& row : rows_) {
    if (row.purpose_only()) continue;
    EXPECT_EQ(row.flow, "spring_leads");
    EXPECT_EQ(row.flow_version, 3);
    EXPECT_EQ(row.flow_file, kFileName);
    EXPECT_EQ(row.purpose, "offer") << row.field;
    EXPECT_EQ(row.purpose_description, "send you the offer you asked for");
    EXPECT_EQ(row.retention, "30 days");
    EXPECT_EQ(row.retention_seconds, 30 * 86400);
    EXPECT_THAT(row.notices, ElementsAre("privacy v2")) << row.field;
  }
}

TEST_F(InventoryTest, ShowsEachTypeWithItsConstraint) {
  EXPECT_EQ(Row("name")->type, "text max 80");
  EXPECT_EQ(Row("email")->type, "email");
  EXPECT_EQ(Row("interest")->type, "choice");
  EXPECT_EQ(Row("budget")->type, "number 0..100000");
}

TEST_F(InventoryTest, ListsTheStatesThatStoreEachField) {
  EXPECT_THAT(Row("name")->stored_in, ElementsAre("details"));
  EXPECT_THAT(Row("email")->stored_in, ElementsAre("details"));
  EXPECT_THAT(Row("interest")->stored_in, ElementsAre("details"));
  // `ask budget` in ski and hike; ski's `call score_lead writes budget` does not add a state.
  EXPECT_THAT(Row("budget")->stored_in, ElementsAre("ski", "hike"));
}

TEST_F(InventoryTest, CountsCallWritesAsStoring) {
  const ProgramPtr program = Load(Replace(
      kSpringLeads, "state hike\n  ask budget \"Roughly what budget do you have in mind (EUR)?\"",
      "state hike\n  call score_lead writes budget"));
  ASSERT_NE(program, nullptr);
  const std::vector<InventoryRow> rows = BuildInventory({program.get()});
  ASSERT_GE(rows.size(), 4u);
  EXPECT_EQ(rows[3].field, "budget");
  EXPECT_THAT(rows[3].stored_in, ElementsAre("ski", "hike"));
}

TEST_F(InventoryTest, ListsAPurposeWithoutFieldWithTheNoticeGrantingIt) {
  const InventoryRow& news = rows_[4];
  EXPECT_EQ(news.flow, "spring_leads");
  EXPECT_EQ(news.purpose, "news");
  EXPECT_EQ(news.purpose_description, "send you our monthly newsletter");
  EXPECT_THAT(news.notices, ElementsAre("newsletter v1"));
  EXPECT_EQ(news.field, "");
  EXPECT_EQ(news.retention, "");
  EXPECT_THAT(news.stored_in, IsEmpty());
}

TEST_F(InventoryTest, KeepsTheOrderOfThePrograms) {
  const ProgramPtr other = Load(R"FLOW(flow other
purpose offer "send you the offer"
notice privacy v4
  text "We use your data to {purposes}."
  grants offer
  accept "I agree"
  decline "No thanks"
field phone phone for offer keep 6 weeks
field age integer 18..120 for offer keep 1 year
field note text for offer keep 2 hours
field score number for offer keep 90 seconds
state start
  consent privacy
    accepted -> details
    declined -> bye
state details
  ask phone "Your number?"
  ask age "Your age?"
  ask note "Anything else?"
  ask score "Score?"
  end
state bye
  end
)FLOW",
                                "flows/other.flow");
  ASSERT_NE(other, nullptr);
  const std::vector<InventoryRow> rows = BuildInventory({other.get(), program_.get()});
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(rows[0].flow, "other");
  EXPECT_EQ(rows[0].flow_file, "flows/other.flow");
  EXPECT_EQ(rows[0].type, "phone");
  EXPECT_EQ(rows[0].retention, "6 weeks");
  EXPECT_EQ(rows[1].type, "integer 18..120");
  EXPECT_EQ(rows[1].retention, "1 year");
  EXPECT_EQ(rows[2].type, "text max 1000");
  EXPECT_EQ(rows[2].retention, "2 hours");
  EXPECT_EQ(rows[3].type, "number");
  EXPECT_EQ(rows[3].retention, "90 seconds");
  EXPECT_THAT(rows[3].notices, ElementsAre("privacy v4"));
  EXPECT_EQ(rows[4].flow, "spring_leads");
}

TEST(FormatDurationTest, UsesTheLargestUnitThatDividesExactly) {
  EXPECT_EQ(FormatDuration(30 * 86400), "30 days");
  EXPECT_EQ(FormatDuration(14 * 86400), "2 weeks");
  EXPECT_EQ(FormatDuration(42 * 86400), "6 weeks");
  EXPECT_EQ(FormatDuration(365 * 86400), "1 year");
  EXPECT_EQ(FormatDuration(730 * 86400), "2 years");
  EXPECT_EQ(FormatDuration(7200), "2 hours");
  EXPECT_EQ(FormatDuration(86400), "1 day");
  EXPECT_EQ(FormatDuration(60), "1 minute");
  EXPECT_EQ(FormatDuration(90), "90 seconds");
  EXPECT_EQ(FormatDuration(1), "1 second");
  EXPECT_EQ(FormatDuration(0), "0 seconds");
}

TEST_F(InventoryTest, MarkdownHasATitleAndATableRowPerField) {
  const std::string markdown = InventoryMarkdown(rows_);
  const std::vector<std::string> lines = Lines(markdown);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "# Record of processing activities (GDPR Art. 30)");
  EXPECT_NE(markdown.find("| Flow | File | Field | Type | Purpose | Purpose description | "
                          "Retention | Consent notices | Stored in (states) |\n"
                          "|---|---|---|---|---|---|---|---|---|\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| `spring_leads` v3 | `flows/spring_leads.flow` | `budget` | "
                          "number 0..100000 | `offer` | send you the offer you asked for | "
                          "30 days | `privacy v2` | `ski`, `hike` |\n"),
            std::string::npos)
      << markdown;
  int field_rows = 0;
  for (const std::string& line : lines) {
    if (line.starts_with("| `spring_leads` v3 | `flows/spring_leads.flow` | `")) ++field_rows;
  }
  EXPECT_EQ(field_rows, 5);  // four fields and the newsletter purpose
}

TEST_F(InventoryTest, MarkdownListsPurposesWithoutFieldInTheirOwnTable) {
  const std::string markdown = InventoryMarkdown(rows_);
  const std::size_t section = markdown.find("## Purposes without stored data");
  ASSERT_NE(section, std::string::npos) << markdown;
  EXPECT_NE(
      markdown.find("| Flow | File | Purpose | Purpose description | Consent notices |\n", section),
      std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| `spring_leads` v3 | `flows/spring_leads.flow` | `news` | send you "
                          "our monthly newsletter | `newsletter v1` |\n",
                          section),
            std::string::npos)
      << markdown;
}

TEST_F(InventoryTest, MarkdownEscapesPipesInCells) {
  const ProgramPtr program = Load(Replace(kSpringLeads, "\"send you the offer you asked for\"",
                                          "\"send you the offer | and *more*\""),
                                  "flows/a|b.flow");
  ASSERT_NE(program, nullptr);
  const std::string markdown = InventoryMarkdown(BuildInventory({program.get()}));
  EXPECT_NE(markdown.find("| `flows/a\\|b.flow` | `name` | text max 80 | `offer` | "
                          "send you the offer \\| and \\*more\\* | 30 days |"),
            std::string::npos)
      << markdown;
  // Every row of a table has as many cell separators as its header.
  int expected = -1;
  for (const std::string& line : Lines(markdown)) {
    if (!line.starts_with("|")) {
      expected = -1;
      continue;
    }
    if (expected < 0) expected = CountSeparators(line);
    EXPECT_EQ(CountSeparators(line), expected) << line;
  }
}

TEST(InventoryMarkdownTest, SaysSoWhenThereIsNothing) {
  const std::string markdown = InventoryMarkdown({});
  EXPECT_NE(markdown.find("No flow stores personal data."), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("## Purposes without stored data\n\nNone.\n"), std::string::npos)
      << markdown;
}

TEST_F(InventoryTest, JsonListsFieldsAndPurposesWithoutFields) {
  const std::string text = InventoryJson(rows_);
  const nlohmann::json json = nlohmann::json::parse(text);
  ASSERT_EQ(json.at("fields").size(), 4u);
  const nlohmann::json& budget = json.at("fields").at(3);
  EXPECT_EQ(budget.at("flow"), "spring_leads");
  EXPECT_EQ(budget.at("flow_version"), 3);
  EXPECT_EQ(budget.at("flow_file"), "flows/spring_leads.flow");
  EXPECT_EQ(budget.at("field"), "budget");
  EXPECT_EQ(budget.at("type"), "number 0..100000");
  EXPECT_EQ(budget.at("purpose"), "offer");
  EXPECT_EQ(budget.at("purpose_description"), "send you the offer you asked for");
  EXPECT_EQ(budget.at("retention"), "30 days");
  EXPECT_EQ(budget.at("retention_seconds"), 2592000);
  EXPECT_EQ(budget.at("notices"), nlohmann::json({"privacy v2"}));
  EXPECT_EQ(budget.at("stored_in"), nlohmann::json({"ski", "hike"}));
  ASSERT_EQ(json.at("purposes_without_fields").size(), 1u);
  const nlohmann::json& news = json.at("purposes_without_fields").at(0);
  EXPECT_EQ(news.at("purpose"), "news");
  EXPECT_EQ(news.at("notices"), nlohmann::json({"newsletter v1"}));
  EXPECT_FALSE(news.contains("field"));
  // Members keep their documented order, and the text ends with a newline.
  EXPECT_LT(text.find("\"fields\""), text.find("\"purposes_without_fields\""));
  EXPECT_TRUE(text.ends_with("}\n"));
}

}  // namespace
}  // namespace consentflow::dsl
