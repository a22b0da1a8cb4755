// Extraction over input sizes and shapes: how its time grows (ExtractParams bounds every input).
//
//   BM_ExtractText/KiB            plain text of N KiB, lines of 60 characters
//   BM_ExtractLongLine/KiB        plain text of N KiB on one line
//   BM_ExtractFlatHtml/paragraphs a page of N <p> paragraphs inside a few <div>s
//   BM_ExtractNestedHtml/depth    a page whose text sits inside N nested <div>s: the HTML parser
//                                 walks its stack of open elements at every tag, so time per byte
//                                 grows with the depth; past the nesting limit (about 17,000 levels
//                                 for a page of only nested elements) the page is refused, which
//                                 costs a scan of the markup (`refused` counter 1)
//   BM_ExtractDocx/paragraphs     a .docx of N paragraphs (document.xml grows linearly)
//   BM_ExtractDocxMarkup/MiB      a .docx whose document.xml is N MiB of formatting markup around
//                                 one character per run (little text: what a tree of it cost)
//   BM_ExtractPdf/pages           an A4 PDF of N pages of text (30 lines each, drawn with cairo and
//                                 pango in the CJK font the PDF report uses): poppler's text layer,
//                                 page by page; `pages_per_second` counter
//
// bytes_per_second is the input's size. Linear growth shows as a flat bytes_per_second.
//
//   bench_extract --write-pdf=PAGES:FILE   writes the benchmark's PDF of PAGES pages and exits
//                                          (for `leitong extract` under /usr/bin/time)
#include <benchmark/benchmark.h>
#include <cairo-pdf.h>
#include <leitong/core/error.h>
#include <leitong/extract/extract.h>
#include <pango/pangocairo.h>
#include <zip.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

namespace {

const std::string kSentence = "全面推进依法行政，持续优化法治化营商环境，加强行政执法队伍建设。";

void extract(benchmark::State& state, const std::string& bytes, const std::string& name) {
  bool refused = false;
  for (auto _ : state) {
    try {
      benchmark::DoNotOptimize(leitong::extract_bytes(bytes, name).text.size());
    } catch (const leitong::Error&) {
      refused = true;
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
  state.counters["input_kib"] = double(bytes.size()) / 1024;
  state.counters["refused"] = refused;
}

void BM_ExtractText(benchmark::State& state) {
  std::string text;
  while (text.size() < std::size_t(state.range(0)) << 10) text += kSentence + "\n";
  extract(state, text, "report.txt");
}

void BM_ExtractLongLine(benchmark::State& state) {
  std::string text;
  while (text.size() < std::size_t(state.range(0)) << 10) text += kSentence;
  extract(state, text, "report.txt");
}

void BM_ExtractFlatHtml(benchmark::State& state) {
  std::string html = "<!DOCTYPE html><html><head><title>报告</title></head><body><div><div><div>";
  for (std::int64_t i = 0; i < state.range(0); ++i) html += "<p>" + kSentence + "</p>\n";
  html += "</div></div></div></body></html>";
  extract(state, html, "report.html");
}

void BM_ExtractNestedHtml(benchmark::State& state) {
  std::string html = "<!DOCTYPE html><html><body>";
  for (std::int64_t i = 0; i < state.range(0); ++i) html += "<div>";
  html += kSentence;
  for (std::int64_t i = 0; i < state.range(0); ++i) html += "</div>";
  html += "</body></html>";
  extract(state, html, "report.html");
}

std::string zip_docx(const std::string& xml);

std::string make_docx(std::int64_t paragraphs) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
  for (std::int64_t i = 0; i < paragraphs; ++i) xml += "<w:p><w:r><w:t>" + kSentence + "</w:t></w:r></w:p>";
  xml += "</w:body></w:document>";
  return zip_docx(xml);
}

// document.xml of about `mib` MiB: paragraphs of 20 runs, each run's formatting spelled out around
// one character (about 170 bytes of markup per character of text).
std::string make_markup_docx(std::int64_t mib) {
  const std::string run =
      "<w:r><w:rPr><w:rFonts w:ascii=\"仿宋_GB2312\" w:eastAsia=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\"/>"
      "<w:b/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr><w:t>法</w:t></w:r>";
  std::string paragraph = "<w:p><w:pPr><w:spacing w:line=\"560\" w:lineRule=\"exact\"/><w:ind w:firstLine=\"640\"/></w:pPr>";
  for (int i = 0; i < 20; ++i) paragraph += run;
  paragraph += "</w:p>";
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
  const std::size_t size = (std::size_t(mib) << 20) - 4096;
  while (xml.size() + paragraph.size() < size) xml += paragraph;
  xml += "</w:body></w:document>";
  return zip_docx(xml);
}

std::string zip_docx(const std::string& xml) {
  const std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
  zip_error_t error;
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* z = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  for (const auto& [name, content] : {std::pair<std::string, const std::string*>{"[Content_Types].xml", &types},
                                      {"word/document.xml", &xml}}) {
    zip_source_t* member = zip_source_buffer(z, content->data(), content->size(), 0);
    zip_file_add(z, name.c_str(), member, ZIP_FL_OVERWRITE);
  }
  zip_close(z);
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  const auto size = static_cast<std::size_t>(zip_source_tell(buffer));
  zip_source_seek(buffer, 0, SEEK_SET);
  std::string out(size, '\0');
  zip_source_read(buffer, out.data(), size);
  zip_source_close(buffer);
  zip_source_free(buffer);
  return out;
}

void BM_ExtractDocx(benchmark::State& state) { extract(state, make_docx(state.range(0)), "report.docx"); }

void BM_ExtractDocxMarkup(benchmark::State& state) {
  extract(state, make_markup_docx(state.range(0)), "report.docx");
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// An A4 PDF of `pages` pages, each 30 lines of 33 characters in 12-point WenQuanYi Micro Hei with
// a page number at the foot, the text layer as office suites write it (embedded subset, ToUnicode).
std::string make_pdf(std::int64_t pages) {
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append_to_string, &out, 595, 842);
  cairo_t* cr = cairo_create(surface);
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* font = pango_font_description_from_string("WenQuanYi Micro Hei 12");
  pango_layout_set_font_description(layout, font);
  for (std::int64_t p = 0; p < pages; ++p) {
    for (int line = 0; line < 30; ++line) {
      cairo_move_to(cr, 72, 72 + line * 22);
      const std::string text = std::to_string(p + 1) + "." + std::to_string(line + 1) + kSentence;
      pango_layout_set_text(layout, text.c_str(), -1);
      pango_cairo_show_layout(cr, layout);
    }
    cairo_move_to(cr, 290, 800);
    const std::string number = "- " + std::to_string(p + 1) + " -";
    pango_layout_set_text(layout, number.c_str(), -1);
    pango_cairo_show_layout(cr, layout);
    cairo_show_page(cr);
  }
  pango_font_description_free(font);
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

void BM_ExtractPdf(benchmark::State& state) {
  static std::map<std::int64_t, std::string> made;  // cairo takes a while at thousands of pages
  std::string& pdf = made[state.range(0)];
  if (pdf.empty()) pdf = make_pdf(state.range(0));
  extract(state, pdf, "report.pdf");
  state.counters["pages_per_second"] =
      benchmark::Counter(double(state.iterations() * state.range(0)), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_ExtractText)->Arg(64)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractLongLine)->Arg(64)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractFlatHtml)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractNestedHtml)->Arg(100)->Arg(1000)->Arg(4000)->Arg(16000)->Arg(200000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractDocx)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractDocxMarkup)->Arg(1)->Arg(8)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractPdf)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const char* flag = "--write-pdf=";
    if (std::strncmp(argv[i], flag, std::strlen(flag)) != 0) continue;
    const std::string spec = argv[i] + std::strlen(flag);
    const std::size_t colon = spec.find(':');
    if (colon == std::string::npos) {
      std::fprintf(stderr, "bench_extract: --write-pdf=PAGES:FILE\n");
      return 2;
    }
    std::ofstream(spec.substr(colon + 1), std::ios::binary) << make_pdf(std::stoll(spec.substr(0, colon)));
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
