#pragma once

// Internal to engine/store/sqlite/: a VFS over SQLite's own that writes a transaction's
// write-ahead log in one piece.
//
// SQLite appends each page to the log with two writes, the frame's 24-byte header and the page
// itself, each a system call: a commit of 70 pages costs 140 of them, a tenth of the server's
// time under load. This VFS gathers the log's consecutive writes in memory and hands them down as
// one write when a commit is complete. Every other file (the database, its shared memory) goes
// straight to the VFS below, with no layer in between.
//
// When the gathered bytes go down: with the commit frame (a frame header whose "database size
// after commit" is not zero) and with the page that follows it, so a commit is in the file before
// SQLite makes it visible to other connections (the wal-index header), and a failed write (a
// full disk) fails the commit's own write call, as it would without this layer; before any read,
// size, sync, truncation, file control or close of the log; when a write does not follow the last
// one; and before the gathered bytes would exceed the most the VFS below writes at once (the unix
// VFS: 128 KiB less one byte, 31 frames of 4 KiB pages). Nothing committed is ever only in
// memory, so a process crash loses only a transaction still open, as without this layer.
//
// Threads: a log file is used by its connection only, as SQLite uses it.

#include <sqlite3.h>

#include <cstdint>

namespace consentflow::engine::sqlite {

// The name of the gathering VFS over the default VFS, registered on the first call (not as the
// default); null when it cannot be registered, and then connections use the default VFS.
const char* GatheringVfsName();

// Registers a gathering VFS named `name` over `lower` (tests put a faulty VFS below it). `name`
// and `lower` must outlive the process's use of SQLite.
int RegisterGatheringVfs(const char* name, sqlite3_vfs* lower);

// What the gathering VFSes have done since the process started: writes received from SQLite and
// writes passed down, to the logs.
struct GatherCounts {
  uint64_t received = 0;
  uint64_t passed_down = 0;
};
GatherCounts GatheringCounts();

}  // namespace consentflow::engine::sqlite
