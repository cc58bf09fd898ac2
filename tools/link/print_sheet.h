#pragma once

// index.html for a campaign: every QR code with its label, its prefilled message and its link,
// laid out to print on A4 with cutting lines, each code at its true size.

#include <string>
#include <string_view>
#include <vector>

namespace consentflow::link {

struct SheetItem {
  std::string label;
  std::string code;
  std::string flow_id;
  std::string text;    // the prefilled message
  std::string url;     // the wa.me link
  std::string image;   // the QR code's file, relative to the sheet ("SPRING24.svg")
  double side_mm = 0;  // its printed size
};

// A standalone HTML page (no scripts, no external resources besides the images). Every piece of
// text is escaped.
std::string PrintSheet(std::string_view title, const std::vector<SheetItem>& items);

// `text` with & < > " ' escaped for HTML text and attribute values.
std::string EscapeHtml(std::string_view text);

}  // namespace consentflow::link
