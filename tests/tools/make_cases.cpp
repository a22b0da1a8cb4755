// Writes the constructed demo cases under corpora/cases/ (run by hand; outputs are committed):
//   build/tests/make_cases corpora/cases
#include "support/corpus.h"
#include "support/variants.h"

#include <cstdio>

int main(int argc, char** argv) {
  using namespace leitong::testing;
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_cases OUT_DIR\n");
    return 2;
  }
  const std::filesystem::path out = argv[1];
  Random rng(2025);
  // 罗湖区民政局's 2024 report recycled as its 2025 one: years bumped, most numbers changed, a fifth
  // of the paragraphs replaced by unrelated text.
  const MarkedText recycled = recycle(read_corpus_text("reports/luohu-minzheng-2024.txt"),
                                      read_corpus_text("fixtures/filler-gov-1998.txt"), 0.2, rng);
  write_file(out / "luohu-minzheng-2025.txt", utf8(recycled.text));
  return 0;
}
