#pragma once

// Check(): every semantic rule of the language (the contract's "What the compiler proves or
// rejects"): names, types, WhatsApp's limits, states that run off their end, and the consent
// proof. All problems of a file are reported, errors and warnings, in file order.

#include <functional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostic.h"

namespace consentflow::dsl {

// What a `hooks "FILE.lua"` file offers: the global functions it defines, or why it failed.
struct HookFunctions {
  bool loaded = false;
  std::string error;  // when !loaded: the Lua message, or why the file could not be read
  std::vector<std::string> functions;
};

// Given the file name as written in the flow, inspects the hook file. Tools resolve the name
// relative to the flow file and inspect it with scripting/hook_file.h; tests pass fakes.
using HookResolver = std::function<HookFunctions(const std::string& hooks_file)>;

struct CheckOptions {
  // Without a resolver, `call` is checked against the declaration only, not the Lua file.
  HookResolver resolve_hooks;
};

Diagnostics Check(const ast::Flow& flow, const CheckOptions& options = {});

// How many UTF-16 code units `text` takes, the unit WhatsApp's length limits are enforced in
// (an emoji outside the Basic Multilingual Plane counts 2).
std::size_t WhatsAppLength(std::string_view utf8);

// The words that withdraw consent at any point of any flow (matched case-insensitively, as the
// whole message).
const std::vector<std::string>& WithdrawalWords();

}  // namespace consentflow::dsl
