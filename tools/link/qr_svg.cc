// The SVG form of a QR code, and the options both image forms share.

#include <cstdio>

#include "tools/link/qr_image.h"

namespace consentflow::link {

Status CheckImageOptions(const QrImageOptions& options) {
  if (options.scale < kMinScale || options.scale > kMaxScale) {
    return Status::InvalidArgument("scale " + std::to_string(options.scale) +
                                   " is out of range; use " + std::to_string(kMinScale) + " to " +
                                   std::to_string(kMaxScale) + " pixels per module");
  }
  if (options.dpi < kMinDpi || options.dpi > kMaxDpi) {
    return Status::InvalidArgument("resolution " + std::to_string(options.dpi) +
                                   " dpi is out of range; use " + std::to_string(kMinDpi) + " to " +
                                   std::to_string(kMaxDpi));
  }
  return Status::Ok();
}

double QrSideMillimetres(const QrMatrix& matrix, const QrImageOptions& options) {
  return matrix.size() * options.scale * 25.4 / options.dpi;
}

Result<std::string> QrSvg(const QrMatrix& matrix, const QrImageOptions& options) {
  if (Status s = CheckImageOptions(options); !s.ok()) return s;
  // One subpath per horizontal run of dark modules: "M x y h n v 1 h -n z".
  std::string path;
  for (int y = 0; y < matrix.size(); ++y) {
    for (int x = 0; x < matrix.size();) {
      if (!matrix.dark(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < matrix.size() && matrix.dark(x, y)) ++x;
      const std::string run = std::to_string(x - start);
      path +=
          "M" + std::to_string(start) + " " + std::to_string(y) + "h" + run + "v1h-" + run + "z";
    }
  }
  char side_mm[32];
  std::snprintf(side_mm, sizeof side_mm, "%.2fmm", QrSideMillimetres(matrix, options));
  const std::string size = std::string(side_mm);
  const std::string side = std::to_string(matrix.size());
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + size +
         "\" height=\"" + size + "\" viewBox=\"0 0 " + side + " " + side +
         "\" shape-rendering=\"crispEdges\">\n";
  svg += "<rect width=\"" + side + "\" height=\"" + side + "\" fill=\"#fff\"/>\n";
  svg += "<path fill=\"#000\" d=\"" + path + "\"/>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace consentflow::link
