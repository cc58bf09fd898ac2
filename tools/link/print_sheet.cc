#include "tools/link/print_sheet.h"

#include <algorithm>
#include <cstdio>

namespace consentflow::link {
namespace {

constexpr double kMinCardWidthMm = 48;

constexpr const char* kStyle = R"(  <style>
    @page { size: A4; margin: 12mm; }
    body { font-family: sans-serif; margin: 0; color: #000; }
    h1 { font-size: 14pt; margin: 0 0 6mm; }
    .sheet { display: flex; flex-wrap: wrap; gap: 4mm; }
    .card { break-inside: avoid; border: 0.2mm dashed #999; padding: 4mm; text-align: center; }
    .card img { display: block; margin: 0 auto 2mm; }
    .label { font-weight: bold; font-size: 11pt; margin-bottom: 1mm; }
    .text { font-size: 8pt; margin-bottom: 1mm; }
    .link { font: 6.5pt monospace; word-break: break-all; color: #333; }
    .flow { font-size: 7pt; color: #666; margin-top: 1mm; }
  </style>
)";

std::string Millimetres(double mm) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2fmm", mm);
  return buffer;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string PrintSheet(std::string_view title, const std::vector<SheetItem>& items) {
  const std::string heading = EscapeHtml(title);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n";
  html += "  <title>" + heading + "</title>\n";
  html += kStyle;
  html += "</head>\n<body>\n<h1>" + heading + "</h1>\n<div class=\"sheet\">\n";
  for (const SheetItem& item : items) {
    const std::string side = Millimetres(item.side_mm);
    // As wide as the code, and never narrower than a card that holds a short link readably.
    const std::string width = Millimetres(std::max(kMinCardWidthMm, item.side_mm));
    const std::string code = EscapeHtml(item.code);
    const std::string url = EscapeHtml(item.url);
    html += "  <div class=\"card\" id=\"" + code + "\" style=\"width: " + width + "\">\n";
    html += "    <img src=\"" + EscapeHtml(item.image) + "\" style=\"width: " + side +
            "; height: " + side + "\" alt=\"QR code " + code + "\">\n";
    html += "    <div class=\"label\">" + EscapeHtml(item.label) + "</div>\n";
    html += "    <div class=\"text\">" + EscapeHtml(item.text) + "</div>\n";
    html += "    <div class=\"link\"><a href=\"" + url + "\">" + url + "</a></div>\n";
    html += "    <div class=\"flow\">flow " + EscapeHtml(item.flow_id) + "</div>\n";
    html += "  </div>\n";
  }
  html += "</div>\n</body>\n</html>\n";
  return html;
}

}  // namespace consentflow::link
