#include "scripting/lua/read_hook_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace consentflow::scripting::lua {

Result<std::string> ReadHookFile(const std::string& path, std::size_t max_bytes) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return Status::NotFound(path + ": cannot open hook file" +
                            (error != 0 ? std::string(": ") + std::strerror(error) : ""));
  }
  std::string text;
  char buffer[16 * 1024];
  while (text.size() <= max_bytes) {
    const std::size_t wanted = std::min(sizeof buffer, max_bytes + 1 - text.size());
    in.read(buffer, static_cast<std::streamsize>(wanted));
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  // libstdc++ sets badbit when read(2) fails, e.g. EISDIR for a directory.
  if (in.bad()) return Status::NotFound(path + ": cannot read hook file");
  return text;
}

}  // namespace consentflow::scripting::lua
