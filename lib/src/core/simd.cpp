#include <leitong/core/simd.h>

#include <algorithm>
#include <array>
#include <atomic>

namespace leitong {

namespace {

SimdPath detect() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also asks the operating system (XGETBV) whether it saves the vector
  // registers, so a CPU with AVX-512 under a kernel or hypervisor that hides it reads as without.
  __builtin_cpu_init();
  // Every feature the targets of detail/simd_targets.h enable, not only the vector ones: a
  // hypervisor may hide BMI1 while showing AVX2.
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return SimdPath::kAvx512;
  if (avx2) return SimdPath::kAvx2;
#endif
  return SimdPath::kPortable;
}

std::atomic<int>& current() {
  static std::atomic<int> path{static_cast<int>(best_simd_path())};
  return path;
}

constexpr std::array<std::string_view, 3> kNames = {"portable", "avx2", "avx512"};

}  // namespace

std::string_view simd_path_name(SimdPath path) { return kNames[static_cast<std::size_t>(path)]; }

std::optional<SimdPath> parse_simd_path(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<SimdPath>(i);
  return std::nullopt;
}

SimdPath best_simd_path() {
  static const SimdPath best = detect();
  return best;
}

SimdPath simd_path() { return static_cast<SimdPath>(current().load(std::memory_order_relaxed)); }

SimdPath limit_simd_path(SimdPath path) {
  const SimdPath used = std::min(path, best_simd_path());
  current().store(static_cast<int>(used), std::memory_order_relaxed);
  return used;
}

}  // namespace leitong
