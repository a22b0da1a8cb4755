// leitong compare: two files against each other, no archive involved.
#include "commands.h"
#include "options.h"
#include "output.h"

#include <leitong/analysis/check.h>
#include <leitong/core/error.h>
#include <leitong/extract/extract.h>
#include <leitong/render/report.h>

#include <memory>

namespace leitong::cli {

namespace {

struct CompareOptions {
  std::string format = "text";
  std::string output;
  std::string file_a, file_b;
  int shingle = 0;
  CheckParams params;
};

int run_compare(const CompareOptions& o) {
  Document a, b;
  a.info.file = o.file_a;
  b.info.file = o.file_b;
  try {
    a.text = extract_file(o.file_a).text;
    b.text = extract_file(o.file_b).text;
  } catch (const Error& e) {
    print_error(e.what());
    return kExitRefused;
  }
  SketchParams sp;
  if (o.shingle) sp.shingle.n = o.shingle;
  const Sketch sa = make_sketch(a.text, sp);
  const Sketch sb = make_sketch(b.text, sp);
  const ReferenceDocument ref{b.info, &b.text, &sb};
  const Findings findings = analyze(a, sa, {&ref, 1}, o.params);
  write_findings(findings, o.format, o.output);
  return kExitOk;
}

}  // namespace

Runner register_compare(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  app.footer(
      "Compare FILE_A with FILE_B: which passages of FILE_A also appear in FILE_B (offsets into\n"
      "FILE_A, source offsets into FILE_B). No archive is read or written, so nothing is boilerplate.");
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "html"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  app.add_option("--shingle", o->shingle, "Shingle size (default: the archive default)")->check(CLI::Range(2, 32));
  add_check_options(app, o->params);
  app.add_option("FILE_A", o->file_a, "The report examined")->required();
  app.add_option("FILE_B", o->file_b, "The document it is compared with")->required();
  return [o] { return run_compare(*o); };
}

}  // namespace leitong::cli
