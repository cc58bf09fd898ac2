// QR codes: the matrix, the two image forms, and real decoding of both with zbarimg (Debian's
// zbar-tools; SVG rendered to PNG by rsvg-convert from librsvg2-bin) at every level.

#include "tools/link/qr_code.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tools/link/qr_image.h"
#include "tools/link/wa_link.h"

namespace consentflow::link {
namespace {

namespace fs = std::filesystem;

constexpr QrLevel kLevels[] = {QrLevel::kL, QrLevel::kM, QrLevel::kQ, QrLevel::kH};

uint32_t BigEndian32(const std::string& bytes, std::size_t at) {
  uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Runs `command` through the shell; its standard output, and its exit status in `status`.
std::string RunCommand(const std::string& command, int& status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    status = -1;
    return out;
  }
  std::array<char, 4096> buffer;
  for (std::size_t n; (n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    out.append(buffer.data(), n);
  const int raw = pclose(pipe);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "cf_qr_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name, const std::string& bytes) const {
    const std::string path = (fs::path(path_) / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string path() const { return path_; }

 private:
  std::string path_;
};

// What zbarimg reads from `png_path`: the symbol's data, exactly.
std::string Decode(const std::string& png_path) {
  int status = 0;
  // zbarimg may complain on stderr about D-Bus, which a container lacks; only stdout is data.
  std::string out = RunCommand("zbarimg --quiet --raw '" + png_path + "' 2>/dev/null", status);
  EXPECT_EQ(status, 0) << "zbarimg could not read " << png_path << " (install zbar-tools): " << out;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(QrCode, HasAQuietZoneOfFourModulesAndTheFinderPatterns) {
  const Result<QrMatrix> m = EncodeQr("https://wa.me/393331234567?text=SPRING24", QrLevel::kM);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->symbol_size(), 17 + 4 * m->version());
  EXPECT_EQ(m->size(), m->symbol_size() + 8);
  for (int i = 0; i < m->size(); ++i) {
    for (int q = 0; q < kQuietZone; ++q) {
      EXPECT_FALSE(m->dark(i, q));
      EXPECT_FALSE(m->dark(q, i));
      EXPECT_FALSE(m->dark(i, m->size() - 1 - q));
      EXPECT_FALSE(m->dark(m->size() - 1 - q, i));
    }
  }
  // The top-left finder: a dark 7x7 ring around a light ring around a dark 3x3 centre.
  const int o = kQuietZone;
  EXPECT_TRUE(m->dark(o, o) && m->dark(o + 6, o) && m->dark(o, o + 6) && m->dark(o + 6, o + 6));
  EXPECT_FALSE(m->dark(o + 1, o + 1));
  EXPECT_TRUE(m->dark(o + 3, o + 3));
  EXPECT_FALSE(m->dark(o + 7, o + 7));  // the separator
}

TEST(QrCode, HigherLevelsNeedAtLeastAsLargeASymbol) {
  const std::string url =
      MakeWaLink("+39 333 123 4567", "SPRING24", "Ciao! Vorrei l'offerta sci")->url;
  int previous = 0;
  for (const QrLevel level : kLevels) {
    const Result<QrMatrix> m = EncodeQr(url, level);
    ASSERT_TRUE(m) << m.error().message();
    EXPECT_GE(m->version(), previous) << QrLevelName(level);
    previous = m->version();
  }
  EXPECT_GT(previous, EncodeQr(url, QrLevel::kL)->version()) << "H is denser than L for this link";
}

TEST(QrCode, ALinkTooLongForTheLevelIsAClearError) {
  const std::string url = "https://wa.me/393331234567?text=" + std::string(1400, 'x');
  ASSERT_TRUE(EncodeQr(url, QrLevel::kL));
  const Result<QrMatrix> m = EncodeQr(url, QrLevel::kH);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.error().message().find("too long for a QR code at error-correction level H"),
            std::string::npos)
      << m.error().message();
}

TEST(QrCode, LevelsByName) {
  EXPECT_EQ(*ParseQrLevel("q"), QrLevel::kQ);
  EXPECT_EQ(*ParseQrLevel("H"), QrLevel::kH);
  EXPECT_EQ(QrLevelName(QrLevel::kL), 'L');
  EXPECT_NE(ParseQrLevel("X").error().message().find("use L (7 %), M (15 %), Q (25 %) or H (30 %)"),
            std::string::npos);
  EXPECT_FALSE(ParseQrLevel("MM"));
}

TEST(QrPng, IsOneBitGreyAtTheScaleWithThreeHundredDpi) {
  const Result<QrMatrix> m = EncodeQr("https://wa.me/393331234567?text=SPRING24", QrLevel::kM);
  ASSERT_TRUE(m);
  const Result<std::string> png = QrPng(*m, QrImageOptions{7, 300});
  ASSERT_TRUE(png) << png.error().message();
  ASSERT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n");
  ASSERT_EQ(png->substr(12, 4), "IHDR");
  EXPECT_EQ(BigEndian32(*png, 16), static_cast<uint32_t>(m->size() * 7));  // width
  EXPECT_EQ(BigEndian32(*png, 20), static_cast<uint32_t>(m->size() * 7));  // height
  EXPECT_EQ((*png)[24], 1) << "bit depth";
  EXPECT_EQ((*png)[25], 0) << "greyscale";
  const std::size_t phys = png->find("pHYs");
  ASSERT_NE(phys, std::string::npos);
  EXPECT_EQ(BigEndian32(*png, phys + 4), 11811u) << "300 dpi in pixels per metre";
  EXPECT_EQ((*png)[phys + 12], 1) << "unit: metre";
}

TEST(QrSvg, IsOnePathWithCrispEdgesAtThePrintedSize) {
  const Result<QrMatrix> m = EncodeQr("https://wa.me/393331234567?text=SPRING24", QrLevel::kM);
  ASSERT_TRUE(m);
  const Result<std::string> svg = QrSvg(*m, QrImageOptions{10, 300});
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->find("shape-rendering=\"crispEdges\""), std::string::npos);
  EXPECT_EQ(svg->find("<path"), svg->rfind("<path"));
  const std::string side = std::to_string(m->size());
  EXPECT_NE(svg->find("viewBox=\"0 0 " + side + " " + side + "\""), std::string::npos);
  char mm[32];
  std::snprintf(mm, sizeof mm, "width=\"%.2fmm\"", m->size() * 10 * 25.4 / 300);
  EXPECT_NE(svg->find(mm), std::string::npos) << *svg;
}

TEST(QrImage, OptionsOutOfRangeAreRefused) {
  const Result<QrMatrix> m = EncodeQr("x", QrLevel::kL);
  ASSERT_TRUE(m);
  EXPECT_NE(QrPng(*m, QrImageOptions{0, 300}).error().message().find("1 to 64 pixels"),
            std::string::npos);
  EXPECT_NE(QrSvg(*m, QrImageOptions{10, 10}).error().message().find("72 to 2400"),
            std::string::npos);
}

// Real decoding: what a phone's camera would read is exactly the link, for both files, at every
// level, for plain, accented and emoji texts.
TEST(QrDecode, ZbarimgReadsBackExactlyTheLinkFromPngAndSvgAtEveryLevel) {
  const TempDir dir;
  const std::vector<std::string> texts = {
      "Hi! I'd like the ski offer",
      "Ciao! Vorrei l'offerta sci: è più bello 🎿⛷️😀",
      "Grüße – 10% Rabatt? a+b=c & d#e\nzweite Zeile",
  };
  int n = 0;
  for (const std::string& text : texts) {
    const Result<WaLink> link = MakeWaLink("+39 333 123 4567", "SPRING24", text);
    ASSERT_TRUE(link) << link.error().message();
    for (const QrLevel level : kLevels) {
      SCOPED_TRACE(std::string("level ") + QrLevelName(level) + ", text: " + text);
      const Result<QrMatrix> m = EncodeQr(link->url, level);
      ASSERT_TRUE(m) << m.error().message();
      const QrImageOptions options{4, 300};
      const std::string stem = "code" + std::to_string(++n);

      const std::string png = dir.File(stem + ".png", *QrPng(*m, options));
      const std::string from_png = Decode(png);
      EXPECT_EQ(from_png, link->url);

      const std::string svg = dir.File(stem + ".svg", *QrSvg(*m, options));
      const std::string rendered = (fs::path(dir.path()) / (stem + "-svg.png")).string();
      int status = 0;
      const std::string side = std::to_string(m->size() * 6);
      const std::string out = RunCommand(
          "rsvg-convert -w " + side + " -h " + side + " -o '" + rendered + "' '" + svg + "' 2>&1",
          status);
      ASSERT_EQ(status, 0) << "rsvg-convert failed (install librsvg2-bin): " << out;
      EXPECT_EQ(Decode(rendered), link->url);

      // And the decoded link parses back to the prefilled text.
      const Result<WaLink> parsed = ParseWaLink(from_png);
      ASSERT_TRUE(parsed) << parsed.error().message();
      EXPECT_EQ(parsed->text, link->text);
    }
  }
}

}  // namespace
}  // namespace consentflow::link
