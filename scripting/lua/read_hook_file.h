#pragma once

// Reading a hooks file from disk, for both loaders (internal to scripting/lua/): the sandbox
// (lua_script_host.cc) and the bare inspection (hook_file_lua.cc).

#include <cstddef>
#include <string>

#include "engine/base/result.h"

namespace consentflow::scripting::lua {

// The first `max_bytes + 1` bytes of the file at `path` (all of it when shorter): enough for the
// loader to refuse a file past its limit without reading all of a huge one. kNotFound, with a
// message that starts with the path, when the file cannot be opened
// ("flows/nope.lua: cannot open hook file: No such file or directory") or read (a directory).
Result<std::string> ReadHookFile(const std::string& path, std::size_t max_bytes);

}  // namespace consentflow::scripting::lua
