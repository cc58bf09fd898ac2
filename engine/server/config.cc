#include "engine/server/config.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include <toml++/toml.h>

namespace consentflow::engine::server {
namespace {

namespace fs = std::filesystem;

std::string Where(const std::string& path, const toml::source_region& source) {
  return path + ":" + std::to_string(source.begin.line) + ":" + std::to_string(source.begin.column);
}

class Reader {
 public:
  Reader(const toml::table& root, const std::string& path, const EnvLookup& env)
      : root_(root), path_(path), env_(env), base_(fs::path(path).parent_path()) {}

  Status Read(ServerConfig& c) {
    static const std::set<std::string_view> kSections = {"server", "whatsapp", "engine", "handoff"};
    for (const auto& [key, node] : root_) {
      // [[queues]] and [[templates]], arrays of tables: Queues() and Templates() read them.
      if (key.str() == "queues" || key.str() == "templates") continue;
      if (!kSections.contains(key.str()) || !node.is_table()) {
        return Fail(node.source(), "unknown section '" + std::string(key.str()) +
                                       "'; the sections are [server], [whatsapp], [engine], "
                                       "[handoff], [[queues]] and [[templates]]");
      }
    }
    const toml::table* server = Section("server");
    const toml::table* whatsapp = Section("whatsapp");
    const toml::table* engine = Section("engine");
    if (Status s = Known(server, "server", {"listen", "port", "webhook_path", "max_body_bytes",
                                            "max_header_bytes", "read_timeout_ms", "write_timeout_ms",
                                            "idle_timeout_ms", "max_connections"});
        !s.ok()) return s;
    if (Status s = Known(whatsapp, "whatsapp",
                         {"phone_number_ids", "graph_base_url", "graph_version", "messages_per_second",
                          "verify_token_env", "verify_token_file", "app_secret_env", "app_secret_file",
                          "access_token_env", "access_token_file"});
        !s.ok()) return s;
    if (Status s = Known(engine, "engine", {"flows", "database", "batch_size", "cache_limit"}); !s.ok()) {
      return s;
    }
    const toml::table* handoff = Section("handoff");
    if (Status s = Known(handoff, "handoff", {"transcript_retention_days", "session_hours",
                                                "audit_retention_days"}); !s.ok()) {
      return s;
    }
    Status status;
    auto take = [&](Status s) { if (status.ok() && !s.ok()) status = std::move(s); };
    take(String(server, "listen", c.listen));
    int64_t port = c.port;
    take(Integer(server, "port", port, 0, 65535));
    c.port = static_cast<uint16_t>(port);
    take(String(server, "webhook_path", c.webhook_path));
    if (status.ok() && (c.webhook_path.empty() || c.webhook_path.front() != '/')) {
      take(Fail(At(server, "webhook_path"), "'webhook_path' must start with '/'"));
    }
    take(Size(server, "max_body_bytes", c.max_body_bytes, 1024, 64 << 20));
    take(Size(server, "max_header_bytes", c.max_header_bytes, 1024, 1 << 20));
    take(Int(server, "read_timeout_ms", c.read_timeout_ms, 10, 600'000));
    take(Int(server, "write_timeout_ms", c.write_timeout_ms, 10, 600'000));
    take(Int(server, "idle_timeout_ms", c.idle_timeout_ms, 10, 3'600'000));
    take(Size(server, "max_connections", c.max_connections, 1, 100'000));

    take(Strings(whatsapp, "phone_number_ids", c.phone_number_ids));
    // Both go into every request's path as they are (POST /{version}/{id}/messages).
    if (status.ok()) take(DigitsOnly(whatsapp, "phone_number_ids"));
    take(String(whatsapp, "graph_base_url", c.graph_base_url));
    if (status.ok() && !c.graph_base_url.starts_with("https://") &&
        !c.graph_base_url.starts_with("http://")) {
      take(Fail(At(whatsapp, "graph_base_url"), "'graph_base_url' must start with https:// (or "
                                                 "http:// for a local stand-in)"));
    }
    take(String(whatsapp, "graph_version", c.graph_version));
    if (status.ok() && !IsGraphVersion(c.graph_version)) {
      take(Fail(At(whatsapp, "graph_version"),
                "'graph_version' is 'v' and a number, like \"v25.0\", not \"" + c.graph_version + "\""));
    }
    take(Double(whatsapp, "messages_per_second", c.messages_per_second, 0.01, 1'000'000));
    take(Secret(whatsapp, "verify_token", c.verify_token));
    take(Secret(whatsapp, "app_secret", c.app_secret));
    take(Secret(whatsapp, "access_token", c.access_token));

    take(Path(engine, "flows", c.flows_dir));
    take(Path(engine, "database", c.database));
    take(Size(engine, "batch_size", c.batch_size, 1, 100'000));
    take(Size(engine, "cache_limit", c.cache_limit, 0, 100'000'000));

    take(Int(handoff, "transcript_retention_days", c.transcript_retention_days, 1, 3650));
    take(Int(handoff, "session_hours", c.session_hours, 1, 24 * 30));
    take(Int(handoff, "audit_retention_days", c.audit_retention_days, 1, 36500));
    take(Queues(c.queues));
    take(Templates(c.templates));
    return status;
  }

 private:
  const toml::table* Section(const char* name) const { return root_[name].as_table(); }

  Status Fail(const toml::source_region& at, const std::string& message) const {
    return Status::InvalidArgument(Where(path_, at) + ": " + message);
  }
  Status FailFile(const std::string& message) const {
    return Status::InvalidArgument(path_ + ": " + message);
  }
  toml::source_region At(const toml::table* section, const char* key) const {
    if (section == nullptr) return {};
    const toml::node* node = section->get(key);
    return node == nullptr ? section->source() : node->source();
  }

  Status Known(const toml::table* section, const char* name, std::set<std::string_view> keys) const {
    if (section == nullptr) return Status::Ok();
    for (const auto& [key, node] : *section) {
      const std::string k(key.str());
      if (k == "verify_token" || k == "app_secret" || k == "access_token") {
        return Fail(node.source(), "'" + k + "' must not be written in the configuration; name "
                                   "where to read it instead: '" + k + "_env = \"VARIABLE\"' or '" +
                                   k + "_file = \"/path\"'");
      }
      if (!keys.contains(k)) {
        return Fail(node.source(), "unknown setting '" + k + "' in [" + name + "]");
      }
    }
    return Status::Ok();
  }

  const toml::node* Node(const toml::table* section, const char* key) const {
    return section == nullptr ? nullptr : section->get(key);
  }

  Status String(const toml::table* section, const char* key, std::string& out) const {
    const toml::node* node = Node(section, key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return Fail(node->source(), "'" + std::string(key) + "' must be a string");
    out = node->as_string()->get();
    return Status::Ok();
  }

  // "v21.0", "v25": what Meta's API versions look like.
  static bool IsGraphVersion(const std::string& version) {
    if (version.size() < 2 || version.front() != 'v') return false;
    bool digit_before = false;
    for (std::size_t i = 1; i < version.size(); ++i) {
      const char c = version[i];
      if (c >= '0' && c <= '9') {
        digit_before = true;
      } else if (c == '.' && digit_before && i + 1 < version.size()) {
        digit_before = false;
      } else {
        return false;
      }
    }
    return digit_before;
  }

  // Every string of the list `key` is digits only (Meta's ids are numbers), else where it is not.
  Status DigitsOnly(const toml::table* section, const char* key) const {
    const toml::node* node = Node(section, key);
    if (node == nullptr || node->as_array() == nullptr) return Status::Ok();
    for (const toml::node& element : *node->as_array()) {
      const std::string& text = element.as_string()->get();
      if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Fail(element.source(), "'" + std::string(key) + "' holds Meta's numeric ids (as "
                                      "in the app's WhatsApp settings), not \"" + text + "\"");
      }
    }
    return Status::Ok();
  }

  Status Strings(const toml::table* section, const char* key, std::vector<std::string>& out) const {
    const toml::node* node = Node(section, key);
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return Fail(node->source(), "'" + std::string(key) + "' must be a list of strings");
    }
    out.clear();
    for (const toml::node& element : *array) {
      if (!element.is_string() || element.as_string()->get().empty()) {
        return Fail(element.source(), "'" + std::string(key) + "' must hold non-empty strings");
      }
      out.push_back(element.as_string()->get());
    }
    return Status::Ok();
  }

  Status Integer(const toml::table* section, const char* key, int64_t& out, int64_t min, int64_t max) const {
    const toml::node* node = Node(section, key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) {
      return Fail(node->source(), "'" + std::string(key) + "' must be a whole number");
    }
    const int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
      return Fail(node->source(), "'" + std::string(key) + "' must be from " + std::to_string(min) +
                                      " to " + std::to_string(max) + ", not " + std::to_string(value));
    }
    out = value;
    return Status::Ok();
  }
  Status Int(const toml::table* section, const char* key, int& out, int64_t min, int64_t max) const {
    int64_t value = out;
    Status s = Integer(section, key, value, min, max);
    out = static_cast<int>(value);
    return s;
  }
  Status Size(const toml::table* section, const char* key, std::size_t& out, int64_t min, int64_t max) const {
    int64_t value = static_cast<int64_t>(out);
    Status s = Integer(section, key, value, min, max);
    out = static_cast<std::size_t>(value);
    return s;
  }

  Status Double(const toml::table* section, const char* key, double& out, double min, double max) const {
    const toml::node* node = Node(section, key);
    if (node == nullptr) return Status::Ok();
    std::optional<double> value = node->value<double>();
    if (!value || *value < min || *value > max) {
      return Fail(node->source(), "'" + std::string(key) + "' must be a number from " +
                                      std::to_string(min) + " to " + std::to_string(max));
    }
    out = *value;
    return Status::Ok();
  }

  Status Path(const toml::table* section, const char* key, std::string& out) const {
    if (Status s = String(section, key, out); !s.ok()) return s;
    if (!out.empty() && fs::path(out).is_relative() && !base_.empty()) out = (base_ / out).string();
    return Status::Ok();
  }

  // NAME_env or NAME_file; the value must end up non-empty.
  Status Secret(const toml::table* section, const std::string& name, std::string& out) const {
    std::string variable, file;
    if (Status s = String(section, (name + "_env").c_str(), variable); !s.ok()) return s;
    if (Status s = String(section, (name + "_file").c_str(), file); !s.ok()) return s;
    if (!variable.empty() && !file.empty()) {
      return Fail(At(section, (name + "_file").c_str()),
                  "give either '" + name + "_env' or '" + name + "_file', not both");
    }
    if (!variable.empty()) {
      std::optional<std::string> value = env_(variable);
      if (!value || value->empty()) {
        return FailFile("the environment variable " + variable + " (for [whatsapp] " + name +
                        ") is not set; export it before starting the server");
      }
      out = *value;
      return Status::Ok();
    }
    if (!file.empty()) {
      fs::path p(file);
      if (p.is_relative() && !base_.empty()) p = base_ / p;
      std::ifstream in(p);
      if (!in) {
        return FailFile("cannot read " + p.string() + " (for [whatsapp] " + name +
                        "); check the path and its permissions");
      }
      std::stringstream text;
      text << in.rdbuf();
      out = text.str();
      while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
      if (out.empty()) return FailFile(p.string() + " (for [whatsapp] " + name + ") is empty");
      return Status::Ok();
    }
    return FailFile("[whatsapp] needs '" + name + "_env' or '" + name + "_file': where to read the " +
                    name + " from");
  }

  // [[queues]]: name (required, unique), title, members (agent names).
  Status Queues(std::vector<QueueConfig>& out) const {
    const toml::node* node = root_.get("queues");
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return Fail(node->source(), "'queues' must be written as [[queues]] tables with a name, a "
                                  "title and members");
    }
    out.clear();
    std::set<std::string, std::less<>> names;
    for (const toml::node& element : *array) {
      const toml::table* queue = element.as_table();
      if (Status s = Known(queue, "[queues]", {"name", "title", "members"}); !s.ok()) return s;
      QueueConfig q;
      if (Status s = String(queue, "name", q.name); !s.ok()) return s;
      if (q.name.empty()) return Fail(queue->source(), "a [[queues]] entry needs a 'name'");
      if (!names.insert(q.name).second) {
        return Fail(At(queue, "name"), "queue '" + q.name + "' is declared twice");
      }
      if (Status s = String(queue, "title", q.title); !s.ok()) return s;
      if (q.title.empty()) q.title = q.name;
      if (Status s = Strings(queue, "members", q.members); !s.ok()) return s;
      out.push_back(std::move(q));
    }
    return Status::Ok();
  }

  // [[templates]]: name and language (together unique), body, params.
  Status Templates(std::vector<handoff::MessageTemplate>& out) const {
    const toml::node* node = root_.get("templates");
    if (node == nullptr) return Status::Ok();
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return Fail(node->source(), "'templates' must be written as [[templates]] tables with a "
                                  "name, a language, a body and params");
    }
    out.clear();
    std::set<std::pair<std::string, std::string>> seen;
    for (const toml::node& element : *array) {
      const toml::table* entry = element.as_table();
      if (Status s = Known(entry, "[templates]", {"name", "language", "body", "params"}); !s.ok()) {
        return s;
      }
      handoff::MessageTemplate t;
      if (Status s = String(entry, "name", t.name); !s.ok()) return s;
      if (t.name.empty()) return Fail(entry->source(), "a [[templates]] entry needs a 'name'");
      if (!handoff::ValidTemplateName(t.name)) {
        return Fail(At(entry, "name"), "template name '" + t.name + "' must be lowercase letters, "
                                       "digits and '_' (as in WhatsApp Manager)");
      }
      if (Status s = String(entry, "language", t.language); !s.ok()) return s;
      if (t.language.empty()) {
        return Fail(entry->source(), "template '" + t.name + "' needs a 'language' (\"en\", "
                                     "\"en_US\": the approved translation's code)");
      }
      if (!handoff::ValidLanguageCode(t.language)) {
        return Fail(At(entry, "language"), "'" + t.language + "' is not a language code like "
                                           "\"en\" or \"en_US\"");
      }
      if (!seen.emplace(t.name, t.language).second) {
        return Fail(At(entry, "name"), "template '" + t.name + "' in '" + t.language +
                                           "' is declared twice");
      }
      if (Status s = String(entry, "body", t.body); !s.ok()) return s;
      if (entry->get("body") == nullptr) {
        return Fail(entry->source(), "template '" + t.name + "' needs a 'body': the approved "
                                     "body text, with {{1}}, {{2}} ... for its parameters");
      }
      int64_t params = 0;
      if (Status s = Integer(entry, "params", params, 0,
                             static_cast<int64_t>(handoff::kMaxTemplateParams));
          !s.ok()) {
        return s;
      }
      t.params = static_cast<std::size_t>(params);
      if (const std::string problem = handoff::CheckTemplateBody(t.body, t.params);
          !problem.empty()) {
        return Fail(At(entry, "body"), "template '" + t.name + "': " + problem);
      }
      out.push_back(std::move(t));
    }
    return Status::Ok();
  }

  const toml::table& root_;
  const std::string& path_;
  const EnvLookup& env_;
  fs::path base_;
};

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<ServerConfig> ParseServerConfig(std::string_view text, const std::string& path, const EnvLookup& env) {
  toml::table table;
  try {
    table = toml::parse(text, path);  // Debian's toml++ is built with exceptions
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(Where(path, error.source()) + ": " + std::string(error.description()));
  }
  ServerConfig config;
  Reader reader(table, path, env);
  if (Status s = reader.Read(config); !s.ok()) return s;
  return config;
}

Result<ServerConfig> LoadServerConfig(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the configuration " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseServerConfig(text.str(), path, env);
}

}  // namespace consentflow::engine::server
