// consentflow links CAMPAIGN.csv --phone NUMBER --flows DIR --out DIR [--level L|M|Q|H]
//                   [--scale N] [--title "..."]
//
// A whole campaign at once: checks every row of the CSV (tools/link/campaign.h) against the
// flows of DIR (each code owned by a flow, each text starting that flow), then writes each
// link's QR code as CODE.svg and CODE.png and an index.html sheet to print. Nothing is written
// unless every row is fine. Exit status: 0 fine, 1 bad input, 2 an output file not written.

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tools/consentflow/commands.h"
#include "tools/link/campaign.h"
#include "tools/link/flow_directory.h"
#include "tools/link/print_sheet.h"
#include "tools/link/qr_code.h"
#include "tools/link/qr_image.h"

namespace consentflow::tools {
namespace {

namespace fs = std::filesystem;

struct LinksArgs {
  std::string campaign;
  std::string phone;
  std::string flows;
  std::string out;
  std::string level = "M";
  int scale = link::QrImageOptions{}.scale;
  std::string title;
};

struct OutputFile {
  std::string name;
  std::string bytes;
};

int Fail(const std::string& message) {
  std::cerr << "consentflow: error: " << message << "\n";
  return 1;
}

int WriteAll(const std::string& dir, const std::vector<OutputFile>& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "consentflow: error: cannot create '" << dir << "': " << ec.message() << "\n";
    return 2;
  }
  for (const OutputFile& file : files) {
    const std::string path = (fs::path(dir) / file.name).string();
    std::ofstream out(path, std::ios::binary);
    out << file.bytes;
    if (!out) {
      std::cerr << "consentflow: error: cannot write '" << path << "'\n";
      return 2;
    }
  }
  return 0;
}

int RunLinks(const LinksArgs& args) {
  Result<link::QrLevel> level = link::ParseQrLevel(args.level);
  if (!level) return Fail(level.error().message());
  const link::QrImageOptions options{args.scale, link::QrImageOptions{}.dpi};
  if (Status s = link::CheckImageOptions(options); !s.ok()) return Fail(s.message());
  Result<link::Campaign> campaign = link::LoadCampaign(args.campaign);
  if (!campaign) return Fail(campaign.error().message());
  Result<link::FlowDirectory> flows = link::LoadFlowDirectory(args.flows);
  if (!flows) return Fail(flows.error().message());
  Result<std::vector<link::CampaignLink>> links =
      link::ResolveCampaign(*campaign, args.phone, *flows);
  if (!links) return Fail(links.error().message());

  // Every image is made before anything is written: a link too long for a QR code leaves the
  // output folder as it was.
  std::vector<OutputFile> files;
  std::vector<link::SheetItem> sheet;
  for (const link::CampaignLink& entry : *links) {
    Result<link::QrMatrix> matrix = link::EncodeQr(entry.link.url, *level);
    if (!matrix) {
      return Fail(args.campaign + ":" + std::to_string(entry.row.line) + ": " +
                  matrix.error().message());
    }
    Result<std::string> svg = link::QrSvg(*matrix, options);
    Result<std::string> png = link::QrPng(*matrix, options);
    if (!svg || !png) return Fail((!svg ? svg.error() : png.error()).message());
    files.push_back({entry.row.code + ".svg", std::move(*svg)});
    files.push_back({entry.row.code + ".png", std::move(*png)});
    sheet.push_back({entry.row.label, entry.row.code, entry.flow_id, entry.link.text,
                     entry.link.url, entry.row.code + ".svg",
                     link::QrSideMillimetres(*matrix, options)});
  }
  const std::string title =
      args.title.empty() ? "Campaign " + fs::path(args.campaign).stem().string() : args.title;
  files.push_back({"index.html", link::PrintSheet(title, sheet)});
  if (const int status = WriteAll(args.out, files); status != 0) return status;

  for (const link::CampaignLink& entry : *links) {
    std::cout << entry.row.code << "  " << entry.flow_id << "  " << entry.link.url << "\n";
  }
  std::cout << "wrote " << links->size() << " QR codes (SVG and PNG, level "
            << link::QrLevelName(*level) << ") and " << (fs::path(args.out) / "index.html").string()
            << "\n";
  return 0;
}

}  // namespace

void AddLinksCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LinksArgs>();
  CLI::App* cmd = app.add_subcommand(
      "links",
      "A campaign's links and QR codes from a CSV (code,text,label), checked against the "
      "flows, with a sheet to print");
  cmd->add_option("campaign", args->campaign, "The campaign CSV: code,text,label")->required();
  cmd->add_option("--phone", args->phone,
                  "The business's WhatsApp number, international: \"+39 333 123 4567\"")
      ->required();
  cmd->add_option("--flows", args->flows, "The folder of the .flow files that own the codes")
      ->required();
  cmd->add_option("--out", args->out, "The folder to write CODE.svg, CODE.png and index.html to")
      ->required();
  cmd->add_option("--level", args->level, "QR error correction: L, M (default), Q or H");
  cmd->add_option(
      "--scale", args->scale,
      "PNG pixels per module at 300 dpi (default 10 = 0.85 mm); the SVG prints the same");
  cmd->add_option("--title", args->title, "The sheet's heading (default: the CSV's name)");
  cmd->callback([args, &exit_code] { exit_code = RunLinks(*args); });
}

}  // namespace consentflow::tools
