#pragma once
// A blocking HTTP/1.1 client for tests: one request per connection, or raw bytes for the
// malformed and slow cases. No Beast types in the header.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace consentflow::testing {

struct HttpResult {
  int status = 0;          // 0: no response (connection closed or refused)
  std::string body;
  std::string error;       // why there is no response
};

HttpResult HttpGet(uint16_t port, const std::string& target);
HttpResult HttpPost(uint16_t port, const std::string& target, const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
// Writes `bytes` as they are, then reads one response (or until the server closes).
// `pause_ms` > 0: waits that long after writing, before reading.
HttpResult RawRequest(uint16_t port, const std::string& bytes, int pause_ms = 0);

}  // namespace consentflow::testing
