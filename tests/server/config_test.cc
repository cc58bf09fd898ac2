#include "engine/server/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace consentflow::engine::server {
namespace {

const EnvLookup kEnv = [](const std::string& name) -> std::optional<std::string> {
  if (name == "TOKEN") return "verify-me";
  if (name == "SECRET") return "app-secret";
  if (name == "ACCESS") return "EAAG...";
  return std::nullopt;
};

constexpr const char* kSecrets =
    "[whatsapp]\nverify_token_env = \"TOKEN\"\napp_secret_env = \"SECRET\"\naccess_token_env = \"ACCESS\"\n";

Result<ServerConfig> Parse(const std::string& toml) {
  return ParseServerConfig(toml, "/etc/cf/server.toml", kEnv);
}

std::string Error(const std::string& toml) {
  Result<ServerConfig> config = Parse(toml);
  return config ? "<no error>" : config.error().message();
}

TEST(ServerConfig, DefaultsAndSecretsFromTheEnvironment) {
  Result<ServerConfig> config = Parse(kSecrets);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->port, 8080);
  EXPECT_EQ(config->webhook_path, "/webhook");
  EXPECT_EQ(config->verify_token, "verify-me");
  EXPECT_EQ(config->app_secret, "app-secret");
  EXPECT_EQ(config->access_token, "EAAG...");
  EXPECT_EQ(config->database, "/etc/cf/consentflow.db") << "relative to the file's folder";
  EXPECT_EQ(config->flows_dir, "/etc/cf/flows");
}

TEST(ServerConfig, EverySettingIsRead) {
  Result<ServerConfig> config = Parse(std::string(
      "[server]\nlisten = \"0.0.0.0\"\nport = 9000\nwebhook_path = \"/wa\"\nmax_body_bytes = 2048\n"
      "read_timeout_ms = 500\nmax_connections = 7\n"
      "[engine]\nflows = \"/srv/flows\"\ndatabase = \"db/cf.db\"\nbatch_size = 64\n") +
      kSecrets + "phone_number_ids = [\"1\", \"2\"]\ngraph_base_url = \"http://127.0.0.1:1\"\n"
                 "messages_per_second = 20\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->listen, "0.0.0.0");
  EXPECT_EQ(config->port, 9000);
  EXPECT_EQ(config->webhook_path, "/wa");
  EXPECT_EQ(config->max_body_bytes, 2048u);
  EXPECT_EQ(config->read_timeout_ms, 500);
  EXPECT_EQ(config->max_connections, 7u);
  EXPECT_EQ(config->flows_dir, "/srv/flows");
  EXPECT_EQ(config->database, "/etc/cf/db/cf.db");
  EXPECT_EQ(config->batch_size, 64u);
  EXPECT_EQ(config->phone_number_ids, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(config->graph_base_url, "http://127.0.0.1:1");
  EXPECT_EQ(config->messages_per_second, 20);
}

TEST(ServerConfig, ASecretWrittenInTheFileIsRefused) {
  EXPECT_EQ(Error("[whatsapp]\napp_secret = \"abc\"\n"),
            "/etc/cf/server.toml:2:14: 'app_secret' must not be written in the configuration; name "
            "where to read it instead: 'app_secret_env = \"VARIABLE\"' or 'app_secret_file = \"/path\"'");
}

TEST(ServerConfig, MissingAndUnsetSecretsAreNamed) {
  EXPECT_EQ(Error("[whatsapp]\nverify_token_env = \"TOKEN\"\napp_secret_env = \"SECRET\"\n"),
            "/etc/cf/server.toml: [whatsapp] needs 'access_token_env' or 'access_token_file': where "
            "to read the access_token from");
  EXPECT_EQ(Error("[whatsapp]\nverify_token_env = \"NOPE\"\napp_secret_env = \"SECRET\"\naccess_token_env = \"ACCESS\"\n"),
            "/etc/cf/server.toml: the environment variable NOPE (for [whatsapp] verify_token) is not "
            "set; export it before starting the server");
}

TEST(ServerConfig, ASecretFromAFileLosesItsTrailingNewline) {
  const auto dir = std::filesystem::temp_directory_path() / ("cf-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "from-a-file\n";
  Result<ServerConfig> config = ParseServerConfig(
      "[whatsapp]\nverify_token_file = \"token\"\napp_secret_env = \"SECRET\"\naccess_token_env = \"ACCESS\"\n",
      (dir / "server.toml").string(), kEnv);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->verify_token, "from-a-file");
  std::filesystem::remove_all(dir);
}

TEST(ServerConfig, WrongSettingsSayWhereAndWhat) {
  EXPECT_EQ(Error(std::string("[server]\nprot = 80\n") + kSecrets),
            "/etc/cf/server.toml:2:8: unknown setting 'prot' in [server]");
  EXPECT_EQ(Error(std::string("[server]\nport = 70000\n") + kSecrets),
            "/etc/cf/server.toml:2:8: 'port' must be from 0 to 65535, not 70000");
  EXPECT_EQ(Error(std::string("[server]\nport = \"80\"\n") + kSecrets),
            "/etc/cf/server.toml:2:8: 'port' must be a whole number");
  EXPECT_EQ(Error(std::string("[server]\nwebhook_path = \"webhook\"\n") + kSecrets),
            "/etc/cf/server.toml:2:16: 'webhook_path' must start with '/'");
  EXPECT_EQ(Error(std::string("[sever]\n") + kSecrets),
            "/etc/cf/server.toml:1:1: unknown section 'sever'; the sections are [server], [whatsapp], "
            "[engine], [handoff], [[queues]] and [[templates]]");
  EXPECT_EQ(Error(std::string(kSecrets) + "graph_base_url = \"ftp://x\"\n"),
            "/etc/cf/server.toml:5:18: 'graph_base_url' must start with https:// (or http:// for a local stand-in)");
  // The ids and the version go into every request's path as they are.
  EXPECT_EQ(Error(std::string(kSecrets) + "phone_number_ids = [\"1065\", \"+49 151\"]\n"),
            "/etc/cf/server.toml:5:29: 'phone_number_ids' holds Meta's numeric ids (as in the app's "
            "WhatsApp settings), not \"+49 151\"");
  EXPECT_EQ(Error(std::string(kSecrets) + "graph_version = \"25.0\"\n"),
            "/etc/cf/server.toml:5:17: 'graph_version' is 'v' and a number, like \"v25.0\", not \"25.0\"");
  for (const char* good : {"v21.0", "v25", "v3.1"}) {
    EXPECT_EQ(Error(std::string(kSecrets) + "graph_version = \"" + good + "\"\n"), "<no error>") << good;
  }
  for (const char* bad : {"v", "v2.", "v.2", "v2..1", "v2/x", "V2"}) {
    EXPECT_NE(Error(std::string(kSecrets) + "graph_version = \"" + bad + "\"\n"), "<no error>") << bad;
  }
}

TEST(ServerConfig, HandoffSettingsAndQueues) {
  Result<ServerConfig> defaults = Parse(kSecrets);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->transcript_retention_days, 30);
  EXPECT_EQ(defaults->session_hours, 12);
  EXPECT_TRUE(defaults->queues.empty());
  Result<ServerConfig> config = Parse(std::string(kSecrets) +
                                      "[handoff]\ntranscript_retention_days = 14\nsession_hours = 8\n"
                                      "[[queues]]\nname = \"support\"\ntitle = \"Customer support\"\n"
                                      "members = [\"ann\", \"cat\"]\n"
                                      "[[queues]]\nname = \"sales\"\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->transcript_retention_days, 14);
  EXPECT_EQ(config->session_hours, 8);
  ASSERT_EQ(config->queues.size(), 2u);
  EXPECT_EQ(config->queues[0].name, "support");
  EXPECT_EQ(config->queues[0].title, "Customer support");
  EXPECT_EQ(config->queues[0].members, (std::vector<std::string>{"ann", "cat"}));
  EXPECT_EQ(config->queues[1].title, "sales") << "the name when no title is given";
  EXPECT_TRUE(config->queues[1].members.empty());
}

TEST(ServerConfig, WrongQueuesSayWhereAndWhat) {
  EXPECT_EQ(Error(std::string(kSecrets) + "[[queues]]\ntitle = \"No name\"\n"),
            "/etc/cf/server.toml:5:1: a [[queues]] entry needs a 'name'");
  EXPECT_EQ(Error(std::string(kSecrets) + "[[queues]]\nname = \"a\"\n[[queues]]\nname = \"a\"\n"),
            "/etc/cf/server.toml:8:8: queue 'a' is declared twice");
  EXPECT_EQ(Error(std::string(kSecrets) + "[[queues]]\nname = \"a\"\nmembrs = []\n"),
            "/etc/cf/server.toml:7:10: unknown setting 'membrs' in [[queues]]");
  EXPECT_EQ(Error("queues = [\"a\"]\n" + std::string(kSecrets)),
            "/etc/cf/server.toml:1:10: 'queues' must be written as [[queues]] tables with a name, a "
            "title and members");
  EXPECT_EQ(Error(std::string(kSecrets) + "[handoff]\nsession_hours = 0\n"),
            "/etc/cf/server.toml:6:17: 'session_hours' must be from 1 to 720, not 0");
  EXPECT_EQ(Error(std::string(kSecrets) + "[handoff]\nretention = 3\n"),
            "/etc/cf/server.toml:6:13: unknown setting 'retention' in [handoff]");
}

TEST(ServerConfig, TemplatesAndTheAuditRetention) {
  Result<ServerConfig> defaults = Parse(kSecrets);
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->audit_retention_days, 365);
  EXPECT_TRUE(defaults->templates.empty());
  Result<ServerConfig> config = Parse(
      std::string(kSecrets) +
      "[handoff]\naudit_retention_days = 90\n"
      "[[templates]]\nname = \"follow_up\"\nlanguage = \"en\"\n"
      "body = \"Hello {{1}}, we have news about your request {{2}}. Reply to continue.\"\n"
      "params = 2\n"
      "[[templates]]\nname = \"follow_up\"\nlanguage = \"de_DE\"\n"
      "body = \"Hallo {{1}}, es gibt Neuigkeiten zu {{2}}.\"\nparams = 2\n"
      "[[templates]]\nname = \"reopen\"\nlanguage = \"en\"\nbody = \"Are you still there?\"\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->audit_retention_days, 90);
  ASSERT_EQ(config->templates.size(), 3u);
  EXPECT_EQ(config->templates[0],
            (handoff::MessageTemplate{"follow_up", "en",
                                      "Hello {{1}}, we have news about your request {{2}}. "
                                      "Reply to continue.",
                                      2}));
  EXPECT_EQ(config->templates[1].language, "de_DE");
  EXPECT_EQ(config->templates[2].params, 0u) << "no parameters when none are declared";
}

TEST(ServerConfig, WrongTemplatesSayWhereAndWhat) {
  const std::string head = std::string(kSecrets) + "[[templates]]\n";  // line 5
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\nbody = \"Hi\"\ntext = \"x\"\n"),
            "/etc/cf/server.toml:9:8: unknown setting 'text' in [[templates]]");
  EXPECT_EQ(Error(head + "language = \"en\"\nbody = \"Hi\"\n"),
            "/etc/cf/server.toml:5:1: a [[templates]] entry needs a 'name'");
  EXPECT_EQ(Error(head + "name = \"Follow-Up\"\nlanguage = \"en\"\nbody = \"Hi\"\n"),
            "/etc/cf/server.toml:6:8: template name 'Follow-Up' must be lowercase letters, digits "
            "and '_' (as in WhatsApp Manager)");
  EXPECT_EQ(Error(head + "name = \"a\"\nbody = \"Hi\"\n"),
            "/etc/cf/server.toml:5:1: template 'a' needs a 'language' (\"en\", \"en_US\": the "
            "approved translation's code)");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"english\"\nbody = \"Hi\"\n"),
            "/etc/cf/server.toml:7:12: 'english' is not a language code like \"en\" or \"en_US\"");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\n"),
            "/etc/cf/server.toml:5:1: template 'a' needs a 'body': the approved body text, with "
            "{{1}}, {{2}} ... for its parameters");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\nbody = \"Hello {{1}}\"\n"),
            "/etc/cf/server.toml:8:8: template 'a': the body uses {{1}} but 'params' is 0; set "
            "'params' to the number of parameters");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\nbody = \"Hello {{1}}\"\nparams = 2\n"),
            "/etc/cf/server.toml:8:8: template 'a': 'params' is 2 but the body never uses {{2}}");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\nbody = \"Hi\"\nparams = -1\n"),
            "/etc/cf/server.toml:9:10: 'params' must be from 0 to 20, not -1");
  EXPECT_EQ(Error(head + "name = \"a\"\nlanguage = \"en\"\nbody = \"Hi\"\n"
                         "[[templates]]\nname = \"a\"\nlanguage = \"en\"\nbody = \"Yo\"\n"),
            "/etc/cf/server.toml:10:8: template 'a' in 'en' is declared twice");
  EXPECT_EQ(Error("templates = 3\n" + std::string(kSecrets)),
            "/etc/cf/server.toml:1:13: 'templates' must be written as [[templates]] tables with a "
            "name, a language, a body and params");
  EXPECT_EQ(Error(std::string(kSecrets) + "[handoff]\naudit_retention_days = 0\n"),
            "/etc/cf/server.toml:6:24: 'audit_retention_days' must be from 1 to 36500, not 0");
}

TEST(ServerConfig, SyntaxErrorsHaveALineAndColumn) {
  const std::string error = Error("[server]\nport = = 1\n");
  EXPECT_TRUE(error.starts_with("/etc/cf/server.toml:2:")) << error;
}

}  // namespace
}  // namespace consentflow::engine::server
