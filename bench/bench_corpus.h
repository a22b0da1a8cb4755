// The corpus the sketch, normalize and align benchmarks read: the national government work reports
// 1954–2022 bundled in corpora/gov-work-reports, or the folder named by LEITONG_CORPUS_DIR.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace leitong::bench {

inline std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("LEITONG_CORPUS_DIR"); env && *env) return env;
  return std::filesystem::path(LEITONG_SOURCE_DIR) / "corpora" / "gov-work-reports";
}

// The corpus's *.txt reports in name order; exits with a message naming `program` if there are none.
inline std::vector<std::filesystem::path> corpus_files(const char* program) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = corpus_dir();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path());
  if (files.empty()) {
    std::fprintf(stderr, "%s: no *.txt reports in %s (set LEITONG_CORPUS_DIR)\n", program, dir.c_str());
    std::exit(1);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace leitong::bench
