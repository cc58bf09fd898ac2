#pragma once
// The console's and the demo phone's pages (engine/server/web/), compiled into the binary by
// web/embed.cmake: the server needs no folder of files next to it, and the pages always match
// the API of the binary that serves them.
#include <string_view>

namespace consentflow::engine::server {

struct WebAsset {
  std::string_view path;          // "/console/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

// The asset at URL path `path`, or null.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace consentflow::engine::server
