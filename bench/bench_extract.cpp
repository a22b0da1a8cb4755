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
//
// bytes_per_second is the input's size. Linear growth shows as a flat bytes_per_second.
#include <benchmark/benchmark.h>
#include <leitong/core/error.h>
#include <leitong/extract/extract.h>
#include <zip.h>

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

std::string make_docx(std::int64_t paragraphs) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
  for (std::int64_t i = 0; i < paragraphs; ++i) xml += "<w:p><w:r><w:t>" + kSentence + "</w:t></w:r></w:p>";
  xml += "</w:body></w:document>";
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

}  // namespace

BENCHMARK(BM_ExtractText)->Arg(64)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractLongLine)->Arg(64)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractFlatHtml)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractNestedHtml)->Arg(100)->Arg(1000)->Arg(4000)->Arg(16000)->Arg(200000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractDocx)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
