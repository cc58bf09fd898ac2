#pragma once

// Guards on library functions that loop in C (internal to scripting/lua/). The instruction budget
// only counts Lua VM instructions, and the wall clock is read by the same count hook, so a C
// function that loops without allocating could run unbounded. Each guard refuses the inputs that
// would, with an error that says what to do, and otherwise calls the real function:
//  - string.rep of an empty string and separator (a loop of n empty copies);
//  - string.find/match/gmatch/gsub with a pattern whose worst case backtracking over the subject
//    could exceed ~100 million steps (".-.-.-.-x" over a long text);
//  - table.move and table.concat of more than 2^20 elements (a range over missing elements
//    allocates nothing);
//  - table.insert/remove/sort/concat/unpack of a table whose __len claims any length.

#include "scripting/lua/runtime.h"

namespace consentflow::scripting::lua {

// Replaces the functions above in the real string and table library tables at `string_index`
// and `table_index` (the string metatable's __index is the string table, so methods such as
// s:rep() are guarded too), and removes string.dump, pack, packsize and unpack.
void GuardLibraries(lua_State* L, int string_index, int table_index);

// The worst-case number of matcher steps for a Lua pattern over `subject_bytes` bytes; exposed for
// tests. `anchor_allowed`: a leading '^' anchors (find, match, gsub; not gmatch).
double PatternWorstCase(const char* pattern, std::size_t pattern_bytes, std::size_t subject_bytes,
                        bool anchor_allowed);

inline constexpr double kMaxPatternSteps = 1e8;
inline constexpr lua_Integer kMaxTableRange = lua_Integer{1} << 20;  // "2^20" in messages

}  // namespace consentflow::scripting::lua
