#include <leitong/core/lsh.h>

#include <leitong/core/detail/mix.h>

#include <algorithm>
#include <cmath>

namespace leitong {

std::vector<std::uint64_t> lsh_band_keys(std::span<const std::uint32_t> signature,
                                         const LshParams& params) {
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(params.bands));
  for (int band = 0; band < params.bands; ++band) {
    std::uint64_t key = detail::mix64(0x4C53480000000000ull + std::uint64_t(band));
    for (int r = 0; r < params.rows; ++r)
      key = detail::mix64(key ^ signature[static_cast<std::size_t>(band * params.rows + r)]);
    keys[static_cast<std::size_t>(band)] = key;
  }
  return keys;
}

double lsh_candidate_probability(double jaccard, const LshParams& params) {
  return 1.0 - std::pow(1.0 - std::pow(jaccard, params.rows), params.bands);
}

}  // namespace leitong
