#include "tools/link/campaign.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tools/link/print_sheet.h"

namespace consentflow::link {
namespace {

namespace fs = std::filesystem;

const std::string kFlows = std::string(CF_SOURCE_DIR) + "/flows";

std::string ErrorOf(const Result<Campaign>& r) { return r ? "(parsed)" : r.error().message(); }

TEST(CampaignCsv, ReadsQuotedFieldsCommasQuotesAndLineBreaks) {
  const Result<Campaign> c =
      ParseCampaign("spring.csv",
                    "\xEF\xBB\xBF"
                    "code,text,label\r\n"
                    "SPRING24,\"Hi, I'd like the \"\"ski\"\" offer\",Flyer – ski shops\r\n"
                    " TESTDRIVE ,\"Line one\nline two\",\r\n"
                    "\r\n"
                    "SUMMER,,\"Poster, bus stops\"\r\n");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->rows.size(), 3u);
  EXPECT_EQ(c->rows[0].line, 2u);
  EXPECT_EQ(c->rows[0].code, "SPRING24");
  EXPECT_EQ(c->rows[0].text, "Hi, I'd like the \"ski\" offer");
  EXPECT_EQ(c->rows[0].label, "Flyer – ski shops");
  EXPECT_EQ(c->rows[1].line, 3u);
  EXPECT_EQ(c->rows[1].code, "TESTDRIVE");
  EXPECT_EQ(c->rows[1].text, "Line one\nline two");
  EXPECT_EQ(c->rows[1].label, "TESTDRIVE") << "no label: the code";
  EXPECT_EQ(c->rows[2].line, 6u) << "the quoted line break and the blank line count";
  EXPECT_EQ(c->rows[2].text, "");
  EXPECT_EQ(c->rows[2].label, "Poster, bus stops");
}

TEST(CampaignCsv, ColumnsInAnyOrderAndOnlyTheCodeRequired) {
  const Result<Campaign> c = ParseCampaign("c.csv", "Label,CODE\nWindow,TESTDRIVE");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->rows[0].code, "TESTDRIVE");
  EXPECT_EQ(c->rows[0].label, "Window");
  EXPECT_EQ(c->rows[0].text, "");
}

TEST(CampaignCsv, ErrorsNameTheFileAndLine) {
  EXPECT_EQ(ErrorOf(ParseCampaign("c.csv", "code,text\nA,\"open\nstill open")),
            "c.csv:2: a quoted field is never closed; end it with '\"'");
  EXPECT_EQ(ErrorOf(ParseCampaign("c.csv", "code,text\nA,\"x\"y\n")),
            "c.csv:2: text after a closing quote; a quote inside a quoted field is written twice: "
            "\"say \"\"hi\"\"\"");
  EXPECT_NE(
      ErrorOf(ParseCampaign("c.csv", "code,text\nA,say \"hi\"\n")).find("c.csv:2: a quote inside"),
      std::string::npos);
  EXPECT_EQ(
      ErrorOf(ParseCampaign("c.csv", "code,text,label\nA,Hi, there,Flyer\n")),
      "c.csv:2: 4 fields, but the header has 3; put a field that holds a comma in double quotes");
  EXPECT_EQ(ErrorOf(ParseCampaign("c.csv", "code,text\nSPRING24,a\nB,b\nspring24,c\n")),
            "c.csv:4: code \"spring24\" is already on line 2; give each code one row");
  EXPECT_EQ(ErrorOf(ParseCampaign("c.csv", "code,txt\nA,b\n")),
            "c.csv:1: unknown column 'txt' in the header; the columns are code, text and label");
  EXPECT_NE(ErrorOf(ParseCampaign("c.csv", "code;text;label\nA;b;c\n"))
                .find("c.csv:1: the header has no "
                      "commas but ';'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseCampaign("c.csv", "SPRING24,Hi,Flyer\n"))
                .find("c.csv:1: unknown column 'SPRING24'"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(ParseCampaign("c.csv", "text,label\nHi,Flyer\n")).find("a 'code' column is required"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf(ParseCampaign("c.csv", "code,text\n,Hi\n")).find("c.csv:2: the link code is empty"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf(ParseCampaign("c.csv", "code\nSPRING 24\n")).find("c.csv:2: link code \"SPRING 24\""),
      std::string::npos);
  EXPECT_NE(ErrorOf(ParseCampaign("c.csv", "")).find("c.csv: the file is empty"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseCampaign("c.csv", "code,text\n")).find("c.csv: no rows"),
            std::string::npos);
}

TEST(CampaignCsv, ReportsEveryRowProblemAtOnce) {
  const std::string error = ErrorOf(ParseCampaign("c.csv", "code,text\nA B,x\nOK,y\nC,d,e\n"));
  EXPECT_EQ(error.find("c.csv:2: "), 0u) << error;
  EXPECT_NE(error.find("\nc.csv:4: 3 fields"), std::string::npos) << error;
}

TEST(CampaignCsv, TooManyRowsIsAnError) {
  std::string text = "code\n";
  for (std::size_t i = 0; i <= kMaxCampaignRows; ++i) text += "C" + std::to_string(i) + "\n";
  EXPECT_NE(ErrorOf(ParseCampaign("c.csv", text)).find("c.csv:1002: more than 1000 rows"),
            std::string::npos);
}

TEST(CampaignFile, AMissingFileIsNamed) {
  const Result<Campaign> c = LoadCampaign("/nonexistent/spring.csv");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message(), "cannot open '/nonexistent/spring.csv'");
}

TEST(CampaignFile, TheExampleCampaignCoversTheExampleFlows) {
  const Result<Campaign> c = LoadCampaign(kFlows + "/campaigns/spring.csv");
  ASSERT_TRUE(c) << c.error().message();
  const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  ASSERT_TRUE(flows) << flows.error().message();
  const Result<std::vector<CampaignLink>> links = ResolveCampaign(*c, "+39 0471 123456", *flows);
  ASSERT_TRUE(links) << links.error().message();
  std::set<std::string> codes;
  for (const CampaignLink& l : *links) codes.insert(l.row.code);
  for (const std::string& code : flows->Codes()) EXPECT_TRUE(codes.count(code)) << code;
}

TEST(FlowDirectory, KnowsWhichFlowOwnsEachCode) {
  const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  ASSERT_TRUE(flows) << flows.error().message();
  EXPECT_EQ(flows->Codes(), (std::vector<std::string>{"SPRING24", "TESTDRIVE"}));
  ASSERT_NE(flows->OwnerOf("spring24"), nullptr);
  EXPECT_EQ(flows->OwnerOf("spring24")->flow_id, "spring_leads");
  EXPECT_EQ(flows->OwnerOf("TESTDRIVE")->flow_id, "test_drive");
  EXPECT_EQ(flows->OwnerOf("ski"), nullptr) << "a keyword is no link code";
}

Result<std::vector<CampaignLink>> Resolve(const std::string& csv) {
  static const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  return ResolveCampaign(*ParseCampaign("c.csv", csv), "+39 333 123 4567", *flows);
}

TEST(ResolveCampaign, GivesEachRowItsLinkAndFlow) {
  const auto links =
      Resolve("code,text,label\nSPRING24,Ski offer please,Flyer\nTESTDRIVE,,Window\n");
  ASSERT_TRUE(links) << links.error().message();
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].flow_id, "spring_leads");
  EXPECT_EQ((*links)[0].link.url,
            "https://wa.me/393331234567?text=Ski%20offer%20please%20SPRING24");
  EXPECT_EQ((*links)[1].flow_id, "test_drive");
  EXPECT_EQ((*links)[1].link.text, "TESTDRIVE");
}

TEST(ResolveCampaign, AnUnknownCodeIsAnErrorWithASuggestion) {
  const auto links = Resolve("code,text\nSPRING24,a\nSPRNG24,b\nWINTER,c\n");
  ASSERT_FALSE(links);
  const std::string m = links.error().message();
  EXPECT_NE(m.find("c.csv:3: code \"SPRNG24\" belongs to no flow in " + kFlows +
                   "; did you mean 'SPRING24'?; the link codes there are SPRING24, TESTDRIVE"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("\nc.csv:4: code \"WINTER\" belongs to no flow"), std::string::npos) << m;
}

TEST(ResolveCampaign, ATextCarryingAnotherFlowsCodeIsAnError) {
  const auto links = Resolve("code,text\nTESTDRIVE,Also SPRING24 please\n");
  ASSERT_FALSE(links);
  EXPECT_NE(links.error().message().find("c.csv:2: a message with this text would start flow "
                                         "'spring_leads', not flow 'test_drive' that owns "
                                         "\"TESTDRIVE\": the text also carries \"SPRING24\""),
            std::string::npos)
      << links.error().message();
}

TEST(ResolveCampaign, ABadPhoneNumberIsOneError) {
  static const Result<FlowDirectory> flows = LoadFlowDirectory(kFlows);
  const auto links =
      ResolveCampaign(*ParseCampaign("c.csv", "code\nSPRING24\n"), "0333 123", *flows);
  ASSERT_FALSE(links);
  EXPECT_NE(links.error().message().find("country code"), std::string::npos);
}

class FlowFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "cf_flows_XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(fs::path(dir_) / name) << text;
  }
  static std::string Flow(const std::string& id, const std::string& code) {
    return "flow " + id + "\nentry link \"" + code + "\"\nstate start\n  say \"Hi\"\n  end\n";
  }
  std::string dir_;
};

TEST_F(FlowFolder, TwoFlowsClaimingOneCodeAreRefusedNamingBothFiles) {
  Write("a.flow", Flow("alpha", "SPRING24"));
  Write("b.flow", Flow("beta", "spring24"));
  const Result<FlowDirectory> flows = LoadFlowDirectory(dir_);
  ASSERT_FALSE(flows);
  const std::string m = flows.error().message();
  EXPECT_NE(m.find(dir_ + "/b.flow: link code \"spring24\" is already claimed by flow 'alpha' in " +
                   dir_ + "/a.flow"),
            std::string::npos)
      << m;
}

TEST_F(FlowFolder, AFlowThatDoesNotCompileIsReportedWithItsErrors) {
  Write("a.flow", Flow("alpha", "SPRING24"));
  Write("b.flow", "flow beta\nstate start\n  -> nowhere\n");
  const Result<FlowDirectory> flows = LoadFlowDirectory(dir_);
  ASSERT_FALSE(flows);
  EXPECT_NE(flows.error().message().find(dir_ + "/b.flow:3:6: error: "), std::string::npos)
      << flows.error().message();
}

TEST_F(FlowFolder, AFolderWithoutFlowsIsAnError) {
  EXPECT_NE(LoadFlowDirectory(dir_).error().message().find("holds no .flow file"),
            std::string::npos);
  EXPECT_NE(LoadFlowDirectory(dir_ + "/missing").error().message().find("is no folder"),
            std::string::npos);
}

TEST(PrintSheet, ShowsEveryCodeWithItsLabelAndLinkEscaped) {
  const std::string html = PrintSheet(
      "Spring <2024>", {{"Flyer & <b>shops</b>", "SPRING24", "spring_leads", "Hi \"you\" SPRING24",
                         "https://wa.me/1555?text=a&b", "SPRING24.svg", 34.71},
                        {"Window", "TESTDRIVE", "test_drive", "TESTDRIVE",
                         "https://wa.me/1555?text=TESTDRIVE", "TESTDRIVE.svg", 30}});
  EXPECT_NE(html.find("<title>Spring &lt;2024&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("Flyer &amp; &lt;b&gt;shops&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>shops"), std::string::npos);
  EXPECT_NE(html.find("Hi &quot;you&quot; SPRING24"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://wa.me/1555?text=a&amp;b\">"), std::string::npos);
  EXPECT_NE(html.find("<img src=\"SPRING24.svg\" style=\"width: 34.71mm; height: 34.71mm\""),
            std::string::npos);
  EXPECT_NE(html.find("<img src=\"TESTDRIVE.svg\""), std::string::npos);
  // A card is as wide as its code, at least 48 mm.
  EXPECT_NE(html.find("<div class=\"card\" id=\"SPRING24\" style=\"width: 48.00mm\">"),
            std::string::npos);
  const std::string big = PrintSheet("", {{"", "BIG", "", "", "", "BIG.svg", 80}});
  EXPECT_NE(big.find("<div class=\"card\" id=\"BIG\" style=\"width: 80.00mm\">"),
            std::string::npos);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
}

}  // namespace
}  // namespace consentflow::link
