// The PNG form of a QR code, through libpng.
//
// libpng reports errors by longjmp to the setjmp in EncodeRows; a longjmp must not skip a C++
// destructor, so everything with one (the pixel rows, the output string) is made by QrPng
// before and owned outside that frame, and EncodeRows only holds plain pointers.

#include <png.h>

#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "tools/link/qr_image.h"

namespace consentflow::link {
namespace {

struct PngJob {
  const png_byte* rows;  // one packed 1-bit row per module row
  std::size_t row_bytes;
  uint32_t side_pixels;
  int scale;
  uint32_t pixels_per_metre;
  std::string* out;
  char error[160];  // libpng's message when it fails
};

void OnError(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->error, sizeof job->error, "%s", message);
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}

void OnWrite(png_structp png, png_bytep data, png_size_t length) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  bool ok = true;
  try {
    job->out->append(reinterpret_cast<const char*>(data), length);
  } catch (const std::bad_alloc&) {
    ok = false;
  }
  if (!ok) png_error(png, "out of memory");  // outside the catch: longjmp leaves no handler open
}

void OnFlush(png_structp) {}

// Returns false with job.error set when libpng fails.
bool EncodeRows(PngJob& job) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &job, OnError, OnWarning);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, &job, OnWrite, OnFlush);
  png_set_IHDR(png, info, job.side_pixels, job.side_pixels, /*bit_depth=*/1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_pHYs(png, info, job.pixels_per_metre, job.pixels_per_metre, PNG_RESOLUTION_METER);
  png_write_info(png, info);
  const uint32_t modules = job.side_pixels / static_cast<uint32_t>(job.scale);
  for (uint32_t module_row = 0; module_row < modules; ++module_row) {
    for (int repeat = 0; repeat < job.scale; ++repeat) {
      png_write_row(png, job.rows + module_row * job.row_bytes);
    }
  }
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

Result<std::string> QrPng(const QrMatrix& matrix, const QrImageOptions& options) {
  if (Status s = CheckImageOptions(options); !s.ok()) return s;
  const auto side = static_cast<uint32_t>(matrix.size() * options.scale);
  const std::size_t row_bytes = (side + 7) / 8;
  // 1-bit grey, most significant bit first: 1 is white, 0 is black.
  std::vector<png_byte> rows(row_bytes * static_cast<std::size_t>(matrix.size()), 0);
  for (int y = 0; y < matrix.size(); ++y) {
    png_byte* row = rows.data() + static_cast<std::size_t>(y) * row_bytes;
    for (uint32_t px = 0; px < side; ++px) {
      if (!matrix.dark(static_cast<int>(px) / options.scale, y)) row[px / 8] |= 0x80 >> (px % 8);
    }
  }
  std::string out;
  PngJob job{rows.data(),
             row_bytes,
             side,
             options.scale,
             static_cast<uint32_t>(std::lround(options.dpi / 0.0254)),
             &out,
             "cannot create the PNG writer"};
  if (!EncodeRows(job)) return Status::Internal(std::string("libpng failed: ") + job.error);
  return out;
}

}  // namespace consentflow::link
