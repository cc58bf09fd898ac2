#include "engine/whatsapp/graph_response.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace consentflow::engine::whatsapp {
namespace {

using Json = nlohmann::json;

// A response from send-examples.json's "responses", as the client would hand it over.
GraphReply Example(const std::string& name) {
  static const Json examples = [] {
    std::ifstream in(std::string(CF_SHARED_DIR) + "/whatsapp/fixtures/send-examples.json");
    EXPECT_TRUE(in);
    return Json::parse(in, nullptr, /*allow_exceptions=*/false).at("responses");
  }();
  const Json& example = examples.at(name);
  return GraphReply{true, "", example.at("http_status").get<int>(), example.at("body").dump()};
}

TEST(GraphResponse, AnAcceptedSendGivesItsWamid) {
  const SendVerdict verdict = Classify(Example("send_success"));
  EXPECT_EQ(verdict.outcome, SendOutcome::kAccepted);
  EXPECT_EQ(verdict.whatsapp_id, "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjM0RTJFNEI3OENGREZDNDg2OAA=");
  EXPECT_EQ(Classify(Example("send_success_to_bsuid")).outcome, SendOutcome::kAccepted);
  EXPECT_EQ(Classify(Example("send_template_success_paced")).outcome, SendOutcome::kAccepted);
}

TEST(GraphResponse, AReadReceiptIsAcceptedWithoutAWamid) {
  const SendVerdict verdict = Classify(Example("mark_read_success"), /*read_receipt=*/true);
  EXPECT_EQ(verdict.outcome, SendOutcome::kAccepted);
  EXPECT_EQ(verdict.whatsapp_id, "");
}

TEST(GraphResponse, ASendAcceptedWithoutAnIdIsNotSentAgain) {
  const SendVerdict verdict = Classify(Example("mark_read_success"));
  EXPECT_EQ(verdict.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(verdict.http_status, 200);
}

TEST(GraphResponse, RateLimitsAreRetriedWhateverTheirHttpStatus) {
  for (const char* name : {"error_throughput_130429", "error_pair_rate_131056"}) {
    const SendVerdict verdict = Classify(Example(name));
    EXPECT_EQ(verdict.outcome, SendOutcome::kRetryable) << name;
    EXPECT_EQ(verdict.http_status, 400) << name;
  }
  const SendVerdict throughput = Classify(Example("error_throughput_130429"));
  EXPECT_EQ(throughput.error_code, 130429);
  EXPECT_EQ(throughput.error, "(#130429) Rate limit hit");
}

TEST(GraphResponse, AnInvalidParameterFailsForGoodWithItsCode) {
  const SendVerdict verdict = Classify(Example("error_invalid_param_131009"));
  EXPECT_EQ(verdict.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(verdict.error_code, 131009);
  EXPECT_EQ(Classify(Example("error_template_missing_132001")).outcome, SendOutcome::kPermanent);
}

TEST(GraphResponse, ReEngagementMeansTheWindowIsClosed) {
  const SendVerdict verdict = Classify(Example("error_reengagement_131047"));
  EXPECT_EQ(verdict.outcome, SendOutcome::kWindowClosed);
  EXPECT_EQ(verdict.error_code, 131047);
  EXPECT_EQ(ClassifyErrorCode(470), SendOutcome::kWindowClosed);
}

TEST(GraphResponse, AnExpiredTokenHoldsTheRepliesInsteadOfFailingThem) {
  const SendVerdict verdict = Classify(Example("error_expired_token_190"));
  EXPECT_EQ(verdict.outcome, SendOutcome::kRetryable);
  EXPECT_EQ(verdict.error_code, 190);
  EXPECT_EQ(verdict.http_status, 401);
}

TEST(GraphResponse, HttpStatusesDecideWhenThereIsNoGraphCode) {
  EXPECT_EQ(Classify(GraphReply{true, "", 429, ""}).outcome, SendOutcome::kRetryable);
  EXPECT_EQ(Classify(GraphReply{true, "", 500, "<html>oops</html>"}).outcome,
            SendOutcome::kRetryable);
  EXPECT_EQ(Classify(GraphReply{true, "", 503, "{}"}).outcome, SendOutcome::kRetryable);
  const SendVerdict bad = Classify(GraphReply{true, "", 400, "not json"});
  EXPECT_EQ(bad.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(bad.error_code, 400);
  EXPECT_EQ(bad.error, "HTTP 400");
  // A permanent-looking code on a 5xx is still worth another try.
  EXPECT_EQ(Classify(GraphReply{true, "", 500, R"({"error":{"code":131009}})"}).outcome,
            SendOutcome::kRetryable);
}

TEST(GraphResponse, NoAnswerAtAllIsRetried) {
  const SendVerdict verdict = Classify(GraphReply{false, "connect: Connection refused", 0, ""});
  EXPECT_EQ(verdict.outcome, SendOutcome::kRetryable);
  EXPECT_EQ(verdict.http_status, 0);
  EXPECT_EQ(verdict.error_code, 0);
  EXPECT_EQ(verdict.error, "connect: Connection refused");
}

}  // namespace
}  // namespace consentflow::engine::whatsapp
