#pragma once
// The Cloud API webhook fixtures of ../shared/whatsapp/fixtures/ (CF_SHARED_DIR), for every
// test that feeds them somewhere.
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>

namespace consentflow::testing {

inline constexpr std::array<const char*, 17> kWebhookFixtures = {
    "01-text.json", "02-text-ctwa-referral.json", "03-interactive-button-reply.json",
    "04-interactive-list-reply.json", "05-template-quick-reply-button.json",
    "06-image-with-caption.json", "07-location.json", "08-contacts.json", "09-reaction.json",
    "10-unsupported.json", "11-text-reply-context.json", "12-batch-3-messages-2-users.json",
    "13-status-sent.json", "14-status-delivered.json", "15-status-read.json",
    "16-status-failed-131047.json", "17-errors-only.json"};

// The fixture's bytes; a missing file fails the test that asked.
inline std::string WebhookFixture(const std::string& name) {
  std::ifstream in(std::string(CF_SHARED_DIR) + "/whatsapp/fixtures/" + name);
  EXPECT_TRUE(in) << "cannot read the fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace consentflow::testing
