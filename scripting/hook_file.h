#pragma once

// Inspecting a Lua hook file without trusting it: what `consentflow check` and the flow loader use
// to learn which hook functions a file defines, before any conversation runs one.
//
// The file is run in a bare Lua state: no standard library at all (no print, require, load, io,
// os, string, ...; strings have no methods), source text only (precompiled bytecode is refused),
// with a capped allocator and an instruction budget. Its top-level code runs once in a fresh,
// empty global environment, so reading an undefined global gives nil and every global it assigns
// lands in that environment. Nothing is printed; every problem comes back as a Status.
//
// Both functions are self-contained (each call creates and closes its own Lua state), so they may
// be called from any thread, concurrently.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace consentflow::scripting {

struct HookFileLimits {
  // Hook files are short glue code; 1 MiB is far beyond any real one. The cap bounds the read and
  // the parse, and keeps a wrong path (a log, a binary) from being loaded at all.
  std::size_t max_source_bytes = 1 << 20;
  // Everything the Lua state allocates while loading (parser, code, tables, strings) counts
  // against this; an allocation past it fails with Lua's "not enough memory".
  std::size_t memory_bytes = 16 << 20;
  // Budget for the file's top-level code, in Lua VM instructions, checked every 1000 (so a file
  // may run up to 999 instructions past it). Defining functions takes a handful of instructions;
  // ten million is roughly tens of milliseconds and stops `while true do end`.
  uint64_t instruction_limit = 10'000'000;
};

struct HookFileInfo {
  // Names of the global functions the file defined, sorted, unique. Locals (`local function f`),
  // fields of tables (`function M.f`) and non-function globals are not listed.
  std::vector<std::string> functions;
};

// Loads the Lua source `text`, named `chunk_name` in messages (e.g. "flows/spring.lua"), runs its
// top-level code once as described above, and lists the global functions it defined.
//
// Errors, all kInvalidArgument, with Lua's own message, which starts with the chunk name:
//   "flows/spring.lua:3: '=' expected near 'x'"                           (syntax error)
//   "flows/spring.lua:1: attempt to index a nil value (global 'string')"  (runtime error)
//   "flows/spring.lua:1: hook file exceeded its instruction budget while loading"
// Messages that carry no location get the chunk name in front:
//   "flows/spring.lua: not enough memory (hook file memory limit is 16777216 bytes)"
//   "flows/spring.lua: attempt to load a binary chunk (mode is 't')"      (bytecode)
//   "flows/spring.lua: hook file is larger than the limit of 1048576 bytes"
// Lua shortens long chunk names in its messages; the full name is put back.
// kResourceExhausted: `limits.memory_bytes` is too small for even an empty Lua state.
Result<HookFileInfo> InspectHookSource(std::string_view chunk_name, std::string_view text,
                                       const HookFileLimits& limits = {});

// Reads the file at `path` and inspects it as InspectHookSource(path, contents, limits). A file
// that is missing or cannot be read (a directory, no permission) is kNotFound with a message that
// starts with the path, e.g. "flows/nope.lua: cannot open hook file: No such file or directory".
// At most `limits.max_source_bytes + 1` bytes are read.
Result<HookFileInfo> InspectHookFile(const std::string& path, const HookFileLimits& limits = {});

}  // namespace consentflow::scripting
