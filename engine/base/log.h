#pragma once
// Structured logs: one JSON object per line ({"ts":..,"level":..,"event":..,...fields}), to
// stderr unless a sink is set. No personal data ever goes in: a contact appears only as its
// ContactTag (a keyed hash), and message texts and field values never appear at all.
//
// Thread-safe: lines from several threads never interleave.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace consentflow::engine {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct LogField {
  std::string_view key;
  std::variant<std::string_view, int64_t, double, bool> value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int> && !std::is_same_v<Int, bool>>>
  LogField(std::string_view k, Int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(std::string_view line) = 0;  // one line, without its newline
};

// Where lines go (nullptr: back to stderr) and the lowest level written (default kInfo).
// The sink must outlive its use.
void SetLogSink(LogSink* sink);
void SetLogLevel(LogLevel level);

// Writes {"ts":"2026-11-29T08:00:00.123Z","level":"info","event":EVENT,KEY:VALUE,...}.
void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});
// The same for fields gathered at run time (some present only sometimes).
void Log(LogLevel level, std::string_view event, std::span<const LogField> fields);

// A contact as logs show it: the first 16 hex digits of HMAC-SHA256(key, contact). The key is a
// deployment secret, so the tag links one contact's lines without revealing the number, and
// cannot be reversed by hashing every phone number.
class ContactTagger {
 public:
  explicit ContactTagger(std::string key) : key_(std::move(key)) {}
  std::string Tag(std::string_view contact) const;

 private:
  std::string key_;
};

}  // namespace consentflow::engine
