// The corpus the sketch, normalize and align benchmarks read: the national government work reports
// 1954–2022 bundled in corpora/gov-work-reports, or the folder named by LEITONG_CORPUS_DIR.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace leitong::bench {

inline std::filesystem::path corpus_dir() {
  if (const char* env = std::getenv("LEITONG_CORPUS_DIR"); env && *env) return env;
  return std::filesystem::path(LEITONG_SOURCE_DIR) / "corpora" / "gov-work-reports";
}

}  // namespace leitong::bench
