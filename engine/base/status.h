#pragma once

// Status: the outcome of an operation that can fail in an expected way (a missing file, a bad
// hook, a busy store). Errors are values here; exceptions are kept for startup and shutdown.
//
// A Status is either OK (no message) or an error: a code a caller can branch on plus a message a
// person reads. Messages are user-facing text and are written to stand alone, e.g.
// "flows/spring.lua:3: '=' expected near 'x'". Status is a small value type: copy it freely.
// The type is [[nodiscard]], so a function returning Status warns when its result is dropped.

#include <string>
#include <utility>

namespace consentflow {

enum class StatusCode {
  kOk,
  kNotFound,            // the thing asked for does not exist (file, conversation, flow)
  kInvalidArgument,     // the input is wrong and retrying it unchanged will fail again
  kConflict,            // a concurrent change won (version mismatch, duplicate id)
  kUnavailable,         // a dependency is down or busy; retrying later may succeed
  kInternal,            // a bug or broken invariant on our side
  kFailedPrecondition,  // the system is not in a state where this operation is allowed
  kResourceExhausted,   // a limit was hit (memory, queue, quota)
};

// "OK", "NOT_FOUND", "INVALID_ARGUMENT", ...: stable names for logs and tests.
constexpr const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
  }
  return "UNKNOWN";
}

class [[nodiscard]] Status {
 public:
  // A default-constructed Status is OK.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status Conflict(std::string message) {
    return Status(StatusCode::kConflict, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(StatusCode::kResourceExhausted, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Empty for an OK Status.
  const std::string& message() const { return message_; }

  // "OK", or "NOT_FOUND: <message>" (just the code name when the message is empty).
  std::string ToString() const {
    std::string text = StatusCodeName(code_);
    if (!message_.empty()) text += ": " + message_;
    return text;
  }

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace consentflow
