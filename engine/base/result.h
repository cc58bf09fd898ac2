#pragma once

// Result<T>: either a T or the non-OK Status saying why there is no T.
//
// The member names are std::expected's (C++23), so moving to it later is mechanical:
//
//   Result<HookFileInfo> info = InspectHookFile(path);
//   if (!info) return info.error();          // error(): REQUIRES !has_value()
//   for (const auto& name : info->functions) ...
//
// value(), operator* and operator-> REQUIRE has_value(); error() REQUIRES !has_value(). Breaking a
// REQUIRES is a bug: it asserts in debug builds and throws std::bad_variant_access in release
// builds (never undefined behaviour). Unlike std::expected, value() does not report the Status.
// Result is [[nodiscard]]: dropping one is a compiler warning.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "engine/base/status.h"

namespace consentflow {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; use a pointer");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>,
                "use Status instead of Result<Status>");

 public:
  // Both constructors are implicit on purpose: `return value;` and `return status;` just work.
  Result(T value) : rep_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  // REQUIRES: !error.ok(). An OK Status would leave the Result with neither a value nor an error,
  // so a release build turns it into a kInternal error instead.
  Result(Status error) : rep_(std::in_place_index<1>, std::move(error)) {  // NOLINT
    assert(!std::get<1>(rep_).ok() && "Result constructed from an OK Status");
    if (std::get<1>(rep_).ok()) rep_ = Status::Internal("Result constructed from an OK Status");
  }

  bool has_value() const { return rep_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return Get(); }
  const T& value() const& { return Get(); }
  T&& value() && { return std::move(Get()); }

  T& operator*() & { return Get(); }
  const T& operator*() const& { return Get(); }
  T&& operator*() && { return std::move(Get()); }
  T* operator->() { return &Get(); }
  const T* operator->() const { return &Get(); }

  const Status& error() const {
    assert(!has_value() && "Result::error() called on a value");
    return std::get<1>(rep_);
  }

 private:
  T& Get() {
    assert(has_value() && "Result::value() called on an error");
    return std::get<0>(rep_);
  }
  const T& Get() const {
    assert(has_value() && "Result::value() called on an error");
    return std::get<0>(rep_);
  }

  std::variant<T, Status> rep_;
};

}  // namespace consentflow
