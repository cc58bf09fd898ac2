// consentflow link --phone NUMBER --code CODE [--text "message"] [--qr FILE.svg|FILE.png]
//                  [--level L|M|Q|H] [--scale N] [--flows DIR]
//
// Prints the click-to-chat link whose prefilled text carries CODE, and writes its QR code.
// With --flows, checks that CODE belongs to a flow there and that the text starts that flow.
// Exit status: 0 fine, 1 bad input, 2 the QR file could not be written.

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tools/consentflow/commands.h"
#include "tools/link/flow_directory.h"
#include "tools/link/qr_code.h"
#include "tools/link/qr_image.h"
#include "tools/link/wa_link.h"

namespace consentflow::tools {
namespace {

struct LinkArgs {
  std::string phone;
  std::string code;
  std::string text;
  std::string qr;
  std::string level = "M";
  int scale = link::QrImageOptions{}.scale;
  std::string flows;
};

int Fail(const std::string& message) {
  std::cerr << "consentflow: error: " << message << "\n";
  return 1;
}

// Writes the QR code of `url` to args.qr, as SVG or PNG by its extension.
int WriteQr(const LinkArgs& args, link::QrLevel level, const link::QrImageOptions& options,
            const std::string& url) {
  const bool svg = args.qr.ends_with(".svg");
  Result<link::QrMatrix> matrix = link::EncodeQr(url, level);
  if (!matrix) return Fail(matrix.error().message());
  Result<std::string> image = svg ? link::QrSvg(*matrix, options) : link::QrPng(*matrix, options);
  if (!image) return Fail(image.error().message());
  std::ofstream out(args.qr, std::ios::binary);
  out << *image;
  if (!out) {
    std::cerr << "consentflow: error: cannot write '" << args.qr << "'\n";
    return 2;
  }
  return 0;
}

int RunLink(const LinkArgs& args) {
  if (!args.qr.empty() && !args.qr.ends_with(".svg") && !args.qr.ends_with(".png")) {
    return Fail("--qr " + args.qr +
                ": the file name must end in .svg (for print shops and "
                "design tools) or .png");
  }
  Result<link::QrLevel> level = link::ParseQrLevel(args.level);
  if (!level) return Fail(level.error().message());
  const link::QrImageOptions options{args.scale, link::QrImageOptions{}.dpi};
  if (Status s = link::CheckImageOptions(options); !s.ok()) return Fail(s.message());
  Result<link::WaLink> made = link::MakeWaLink(args.phone, args.code, args.text);
  if (!made) return Fail(made.error().message());
  if (!args.flows.empty()) {
    Result<link::FlowDirectory> flows = link::LoadFlowDirectory(args.flows);
    if (!flows) return Fail(flows.error().message());
    Result<const dsl::Program*> flow = flows->FlowForLink(args.code, made->text);
    if (!flow) return Fail(flow.error().message());
  }
  if (!args.qr.empty()) {
    if (const int status = WriteQr(args, *level, options, made->url); status != 0) return status;
  }
  std::cout << made->url << "\n";
  return 0;
}

}  // namespace

void AddLinkCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LinkArgs>();
  CLI::App* cmd = app.add_subcommand(
      "link", "Print the wa.me click-to-chat link that starts a flow, and write its QR code");
  cmd->add_option("--phone", args->phone,
                  "The business's WhatsApp number, international: \"+39 333 123 4567\"")
      ->required();
  cmd->add_option("--code", args->code, "The flow's 'entry link' code, e.g. SPRING24")->required();
  cmd->add_option("--text", args->text,
                  "The message typed for the person; the code is appended when it lacks it");
  cmd->add_option("--qr", args->qr, "Write the QR code to FILE.svg or FILE.png");
  cmd->add_option("--level", args->level, "QR error correction: L, M (default), Q or H");
  cmd->add_option(
      "--scale", args->scale,
      "PNG pixels per module at 300 dpi (default 10 = 0.85 mm); the SVG prints the same");
  cmd->add_option("--flows", args->flows,
                  "Check that a flow in this folder owns the code and that the text starts it");
  cmd->callback([args, &exit_code] { exit_code = RunLink(*args); });
}

}  // namespace consentflow::tools
