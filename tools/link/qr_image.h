#pragma once

// A QR code as a file for print: SVG (qr_svg.cc) or PNG (qr_png.cc, libpng). Both have the same
// physical size: `scale` pixels per module at `dpi`, so a 10-pixel module at 300 dpi is
// 0.85 mm and a typical link's code (33 modules + the quiet zone) is 3.5 cm wide.

#include <string>

#include "engine/base/result.h"
#include "tools/link/qr_code.h"

namespace consentflow::link {

inline constexpr int kMinScale = 1;
inline constexpr int kMaxScale = 64;
inline constexpr int kMinDpi = 72;
inline constexpr int kMaxDpi = 2400;

struct QrImageOptions {
  int scale = 10;  // PNG pixels per module
  int dpi = 300;   // the resolution the PNG declares (pHYs) and the SVG's size is computed at
};

// kInvalidArgument when scale or dpi is out of range.
Status CheckImageOptions(const QrImageOptions& options);

// One <path> of the dark modules on a white square (the quiet zone included), with
// shape-rendering="crispEdges"; width and height in millimetres, the viewBox in modules.
Result<std::string> QrSvg(const QrMatrix& matrix, const QrImageOptions& options = {});

// A 1-bit greyscale PNG, `scale` pixels per module, its pHYs chunk set to `dpi`.
Result<std::string> QrPng(const QrMatrix& matrix, const QrImageOptions& options = {});

// The printed side in millimetres.
double QrSideMillimetres(const QrMatrix& matrix, const QrImageOptions& options);

}  // namespace consentflow::link
