#pragma once
// `consentflow serve --config FILE`: the server's settings, from TOML (toml++). Secrets (the
// verify token, the app secret, the access token) are never in the file itself: it names an
// environment variable (`app_secret_env = "CF_APP_SECRET"`) or a file (`app_secret_file =
// "/run/secrets/app_secret"`) to read them from. A missing, unknown or wrong setting stops
// start-up with a message naming it (file:line:column where the file has one).
//
// docs/operations.md lists every setting with its default.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/result.h"
#include "engine/handoff/message_template.h"

namespace consentflow::engine::server {

// A handoff queue agents work from ([[queues]]; docs/handoff.md).
struct QueueConfig {
  std::string name;                  // what flows' `handoff NAME` steps name
  std::string title;                 // what the console shows; the name when not given
  std::vector<std::string> members;  // agents who work it (besides `agent add --queue`)
};

struct ServerConfig {
  // [server]
  std::string listen = "127.0.0.1";
  uint16_t port = 8080;                    // 0: an ephemeral port (tests)
  std::string webhook_path = "/webhook";
  std::size_t max_body_bytes = 4 << 20;    // Meta sends at most 3 MB
  std::size_t max_header_bytes = 16 << 10;
  int read_timeout_ms = 10'000;            // a request must arrive whole within this
  int write_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;            // a kept-alive connection with no request is closed
  std::size_t max_connections = 512;       // beyond this, new connections are refused
  bool demo = false;                       // the demo phone; no WhatsApp account needed

  // [whatsapp]
  std::vector<std::string> phone_number_ids;  // the business numbers served
  std::string graph_base_url = "https://graph.facebook.com";
  std::string graph_version = "v21.0";
  double messages_per_second = 80;  // per business number
  std::string verify_token;  // secret
  std::string app_secret;    // secret
  std::string access_token;  // secret

  // [engine]
  std::string flows_dir = "flows";
  std::string database = "consentflow.db";
  std::size_t batch_size = 256;
  std::size_t cache_limit = 100'000;

  // [handoff]
  int transcript_retention_days = 30;  // purpose `support`: transcripts and closed tickets
  int session_hours = 12;              // an agent's login lasts this long
  int audit_retention_days = 365;      // audit entries older than this are erased

  // [[queues]]
  std::vector<QueueConfig> queues;

  // [[templates]]: what agents may send once a contact's 24-hour window has passed
  // (handoff/message_template.h; docs/handoff.md).
  std::vector<handoff::MessageTemplate> templates;
};

// Where secrets come from; the default reads the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvironment();

// Reads FILE. Relative paths in it (flows, database, secret files) are relative to its folder.
Result<ServerConfig> LoadServerConfig(const std::string& path, const EnvLookup& env = ProcessEnvironment());
// The same for TOML text; `path` only names it in messages and anchors relative paths.
Result<ServerConfig> ParseServerConfig(std::string_view toml, const std::string& path,
                                       const EnvLookup& env = ProcessEnvironment());

}  // namespace consentflow::engine::server
