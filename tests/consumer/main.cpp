// Sketches and aligns two texts with leitong::core only: the second copies a sentence of the first
// with its year changed. Prints what it finds; exits 1 unless the copied sentence is found whole.
#include <leitong/core/align.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>

#include <cstdio>
#include <string>

int main() {
  const std::string copied = "深入推进严格规范公正文明执法，全面落实行政执法三项制度，案卷评查合格率达到百分之百。";
  const std::string a = "2023年，本局坚持依法行政。" + copied + "下一步将继续加强执法队伍建设。";
  const std::string b = "2024年，区司法局统筹推进法治政府建设。" + copied + "同时完善复议应诉工作机制。";

  const leitong::SketchParams params;
  const auto text_a = leitong::decode_utf8(a, "a");
  const auto text_b = leitong::decode_utf8(b, "b");
  const leitong::Sketch sa = leitong::make_sketch(text_a, params);
  const leitong::Sketch sb = leitong::make_sketch(text_b, params);
  const double jaccard = leitong::estimate_jaccard(sa.minhash, sb.minhash);
  const auto passages = leitong::align(sa, sb, params.shingle.n);
  std::printf("estimated Jaccard %.3f, %zu passage(s)\n", jaccard, passages.size());

  const auto copied_text = leitong::decode_utf8(copied, "copied");
  const auto expected_begin = text_a.find(copied_text);
  bool found = false;
  for (const leitong::AlignedPassage& p : passages) {
    const std::uint32_t begin = sa.normalized.source_begin(p.query_begin);
    const std::uint32_t end = sa.normalized.source_end(p.query_end);
    std::printf("a[%u, %u) = b[%u, %u): %s\n", begin, end, sb.normalized.source_begin(p.source_begin),
                sb.normalized.source_end(p.source_end),
                leitong::encode_utf8(std::u32string_view(text_a).substr(begin, end - begin)).c_str());
    found = found || (begin <= expected_begin && end >= expected_begin + copied_text.size());
  }
  return found && jaccard > 0.1 && jaccard < 0.9 ? 0 : 1;
}
