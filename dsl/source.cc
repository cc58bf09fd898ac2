#include "dsl/source.h"

#include <fstream>
#include <sstream>

namespace consentflow::dsl {

std::string_view SourceFile::LineAt(uint32_t line) const {
  if (line == 0) return {};
  std::string_view rest = text;
  for (uint32_t i = 1; i < line; ++i) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return {};
    rest.remove_prefix(nl + 1);
  }
  rest = rest.substr(0, rest.find('\n'));
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  return rest;
}

bool ReadSourceFile(const std::string& path, SourceFile& out, std::string& error,
                    std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  std::string text = std::move(buffer).str();
  if (text.size() > max_bytes) {
    error = "'" + path + "' is " + std::to_string(text.size()) + " bytes; flow files may be at most " +
            std::to_string(max_bytes) + " bytes";
    return false;
  }
  out.name = path;
  out.text = std::move(text);
  return true;
}

}  // namespace consentflow::dsl
