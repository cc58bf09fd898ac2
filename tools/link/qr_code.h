#pragma once

// A QR code as a matrix of modules, made by libqrencode (which stays inside qr_code.cc).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/result.h"

namespace consentflow::link {

// Error correction: how much of the symbol may be damaged or covered and still be read.
// L ~7 %, M ~15 %, Q ~25 %, H ~30 %. Higher levels make a denser code for the same link.
enum class QrLevel { kL, kM, kQ, kH };

// "L", "M", "Q" or "H" (either case); kInvalidArgument otherwise.
Result<QrLevel> ParseQrLevel(std::string_view name);
char QrLevelName(QrLevel level);

// The light margin around the symbol that readers need to find it: 4 modules (ISO/IEC 18004).
inline constexpr int kQuietZone = 4;

class QrMatrix {
 public:
  QrMatrix(int version, int symbol_size, std::vector<uint8_t> dark);

  // The side in modules, quiet zone included: symbol_size + 2 * kQuietZone.
  int size() const { return symbol_size_ + 2 * kQuietZone; }
  int symbol_size() const { return symbol_size_; }
  int version() const { return version_; }  // 1 to 40
  // Is the module at column x, row y (0-based, quiet zone included) dark? Outside: false.
  bool dark(int x, int y) const;

 private:
  int version_;
  int symbol_size_;
  std::vector<uint8_t> dark_;  // symbol_size^2, row by row, without the quiet zone
};

// Encodes `data` (a link: bytes, kept case-sensitive) at `level`, in the smallest version that
// holds it. kInvalidArgument when it does not fit even version 40 at that level, saying how
// long it is; kInternal when libqrencode fails otherwise.
Result<QrMatrix> EncodeQr(std::string_view data, QrLevel level);

}  // namespace consentflow::link
