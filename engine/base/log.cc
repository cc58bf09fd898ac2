#include "engine/base/log.h"

#include <openssl/evp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace consentflow::engine {
namespace {

std::mutex g_mutex;
LogSink* g_sink = nullptr;  // guarded by g_mutex
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buffer;
}

}  // namespace

void SetLogSink(LogSink* sink) {
  std::lock_guard lock(g_mutex);
  g_sink = sink;
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  Log(level, event, std::span<const LogField>(fields.begin(), fields.size()));
}

void Log(LogLevel level, std::string_view event, std::span<const LogField> fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  nlohmann::ordered_json line;
  line["ts"] = NowUtc();
  line["level"] = LevelName(level);
  line["event"] = std::string(event);
  for (const LogField& field : fields) {
    std::visit([&](const auto& v) {
      using V = std::decay_t<decltype(v)>;
      if constexpr (std::is_same_v<V, std::string_view>) {
        line[std::string(field.key)] = std::string(v);
      } else {
        line[std::string(field.key)] = v;
      }
    }, field.value);
  }
  // Replace invalid UTF-8 rather than throw: a log line must never take the process down.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(g_mutex);
  if (g_sink != nullptr) {
    g_sink->Write(text);
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
}

std::string ContactTagger::Tag(std::string_view contact) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
            reinterpret_cast<const unsigned char*>(contact.data()), contact.size(), mac, sizeof mac,
            &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  for (size_t i = 0; i < 8 && i < length; ++i) {
    tag += kHex[mac[i] >> 4];
    tag += kHex[mac[i] & 0xf];
  }
  return tag;
}

}  // namespace consentflow::engine
