#include "tools/link/qr_code.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace consentflow::link {
namespace {

QRecLevel ToQrencode(QrLevel level) {
  switch (level) {
    case QrLevel::kL:
      return QR_ECLEVEL_L;
    case QrLevel::kM:
      return QR_ECLEVEL_M;
    case QrLevel::kQ:
      return QR_ECLEVEL_Q;
    case QrLevel::kH:
      return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

// Bytes a version-40 symbol holds in 8-bit mode (ISO/IEC 18004, table 7): the most any link
// can be at each level. The segment optimiser fits a little more when the link has long runs
// of digits, so this is what the error message quotes, not a check of its own.
std::size_t MaxBytes(QrLevel level) {
  switch (level) {
    case QrLevel::kL:
      return 2953;
    case QrLevel::kM:
      return 2331;
    case QrLevel::kQ:
      return 1663;
    case QrLevel::kH:
      return 1273;
  }
  return 0;
}

struct QrcodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

Result<QrLevel> ParseQrLevel(std::string_view name) {
  if (name.size() == 1) {
    switch (name[0]) {
      case 'L':
      case 'l':
        return QrLevel::kL;
      case 'M':
      case 'm':
        return QrLevel::kM;
      case 'Q':
      case 'q':
        return QrLevel::kQ;
      case 'H':
      case 'h':
        return QrLevel::kH;
      default:
        break;
    }
  }
  return Status::InvalidArgument("error-correction level \"" + std::string(name) +
                                 "\" is unknown; use L (7 %), M (15 %), Q (25 %) or H (30 %)");
}

char QrLevelName(QrLevel level) {
  static constexpr char kNames[] = {'L', 'M', 'Q', 'H'};
  return kNames[static_cast<int>(level)];
}

QrMatrix::QrMatrix(int version, int symbol_size, std::vector<uint8_t> dark)
    : version_(version), symbol_size_(symbol_size), dark_(std::move(dark)) {}

bool QrMatrix::dark(int x, int y) const {
  x -= kQuietZone;
  y -= kQuietZone;
  if (x < 0 || y < 0 || x >= symbol_size_ || y >= symbol_size_) return false;
  return dark_[static_cast<std::size_t>(y) * symbol_size_ + x] != 0;
}

Result<QrMatrix> EncodeQr(std::string_view data, QrLevel level) {
  if (data.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("a QR code of a link cannot hold a NUL byte");
  }
  const std::string text(data);
  // Mixed modes (digits, alphanumerics, bytes), case kept: a link's percent escapes and phone
  // number are packed tighter than plain 8-bit mode would.
  errno = 0;
  std::unique_ptr<QRcode, QrcodeFree> code(QRcode_encodeString(text.c_str(), /*version=*/0,
                                                               ToQrencode(level), QR_MODE_8,
                                                               /*casesensitive=*/1));
  if (!code) {
    if (errno == ERANGE) {
      return Status::InvalidArgument("the link is " + std::to_string(data.size()) +
                                     " characters long, too long for a QR code "
                                     "at error-correction level " +
                                     std::string(1, QrLevelName(level)) + " (about " +
                                     std::to_string(MaxBytes(level)) +
                                     " at most, and a code that dense is hard to scan): "
                                     "shorten the text or choose a lower level");
    }
    return Status::Internal(std::string("libqrencode failed: ") + std::strerror(errno));
  }
  const int width = code->width;
  std::vector<uint8_t> dark(static_cast<std::size_t>(width) * width);
  for (std::size_t i = 0; i < dark.size(); ++i) dark[i] = code->data[i] & 1;  // bit 0: dark
  return QrMatrix(code->version, width, std::move(dark));
}

}  // namespace consentflow::link
