#pragma once

// Connects the flow checker to real hook files: the `hooks "FILE.lua"` of a flow is resolved
// relative to the flow file's folder and loaded in the hook sandbox
// (InspectHookFileInSandbox), exactly as the engine will load it.

#include <string>

#include "dsl/check.h"

namespace consentflow::scripting {

// A resolver for flows that live in `flow_directory` ("" for the current directory).
dsl::HookResolver MakeHookResolver(std::string flow_directory);

}  // namespace consentflow::scripting
