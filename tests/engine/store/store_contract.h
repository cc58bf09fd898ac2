#pragma once

// The contract every Store backend passes (engine/store/store.h), written once. A backend's
// test file instantiates it with a factory that opens a new, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest,
//                            ::testing::Values(StoreBackend{"postgres", OpenFreshPostgres}),
//                            StoreBackendName);
//
// The suite uses only the Store interface; what a backend adds (files, PRAGMAs, reopening)
// is tested in that backend's own file.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/base/result.h"
#include "engine/base/status.h"
#include "engine/store/store.h"

namespace consentflow {

// GoogleTest prints a Status in failure messages through this.
inline void PrintTo(const Status& status, std::ostream* out) { *out << status.ToString(); }

}  // namespace consentflow

namespace consentflow::engine::store_test {

struct StoreBackend {
  std::string name;  // a GoogleTest name: letters, digits and '_'
  // Opens a new, empty store. `scratch` is a new directory for files; the fixture deletes it
  // after the store.
  std::function<Result<std::unique_ptr<Store>>(const std::filesystem::path& scratch)> open;
};

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info);

// A new directory under the test temp dir, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// 2026-01-01T00:00:00Z plus `seconds`.
Timestamp At(int64_t seconds);

// Builders for the data the tests commit. Everything not named gets a plain default.
InboundMessage TextMessage(std::string id, std::string contact, int64_t second,
                           std::string text = "hello");
Conversation NewConversation(std::string contact, std::string flow_id = "onboarding");
// Adds an active consent to `purposes` under `notice`.
void Consent(Conversation& conversation, std::string notice, std::vector<std::string> purposes);
// Adds a value of field `name`, captured for `purpose`, expiring at At(expires_second).
void Field(Conversation& conversation, std::string name, std::string value, std::string purpose,
           int64_t expires_second = 1'000'000);
// A granted decision of `contact` on `notice`, taken at At(second).
ConsentDecision GrantDecision(const std::string& contact, std::string notice, int64_t second);
EventOutcome Outcome(Conversation conversation, std::string message_id = "");

class StoreContractTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

  // Commits `outcomes` and expects every one to succeed.
  void CommitAll(const std::vector<EventOutcome>& outcomes);
  // Commits a conversation nobody has seen yet (revision 0) and returns it as stored.
  Conversation CommitNew(Conversation conversation);
  // The stored conversation of `contact`; fails the test when there is none.
  Conversation Load(const std::string& contact);

 private:
  std::unique_ptr<ScratchDir> scratch_;
  std::unique_ptr<Store> store_;
};

}  // namespace consentflow::engine::store_test
