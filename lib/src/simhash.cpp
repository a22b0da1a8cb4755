#include <leitong/simhash.h>

#include <array>
#include <cstring>

#if defined(__AVX512BW__)
#include <immintrin.h>
#endif

namespace leitong {

// Per-bit vote counts are kept in 8-bit lanes and flushed to 32-bit totals every 255 shingles, so
// the inner step is one mask-to-bytes expansion and one add (AVX-512BW) or eight table look-ups.
std::uint64_t simhash(std::span<const std::uint64_t> shingle_hashes) {
  std::array<std::uint32_t, 64> totals{};
  const std::size_t n = shingle_hashes.size();
#if defined(__AVX512BW__)
  for (std::size_t start = 0; start < n; start += 255) {
    const std::size_t stop = start + 255 < n ? start + 255 : n;
    __m512i acc = _mm512_setzero_si512();
    for (std::size_t i = start; i < stop; ++i)
      acc = _mm512_sub_epi8(acc, _mm512_movm_epi8(static_cast<__mmask64>(shingle_hashes[i])));
    alignas(64) std::uint8_t lanes[64];
    _mm512_store_si512(reinterpret_cast<__m512i*>(lanes), acc);
    for (int b = 0; b < 64; ++b) totals[b] += lanes[b];
  }
#else
  // spread[v]: byte j of the word is bit j of v.
  static const auto spread = [] {
    std::array<std::uint64_t, 256> t{};
    for (int v = 0; v < 256; ++v)
      for (int j = 0; j < 8; ++j)
        if (v >> j & 1) t[v] |= std::uint64_t(1) << (8 * j);
    return t;
  }();
  for (std::size_t start = 0; start < n; start += 255) {
    const std::size_t stop = start + 255 < n ? start + 255 : n;
    std::uint64_t acc[8] = {};
    for (std::size_t i = start; i < stop; ++i) {
      const std::uint64_t h = shingle_hashes[i];
      for (int byte = 0; byte < 8; ++byte) acc[byte] += spread[(h >> (8 * byte)) & 0xFF];
    }
    for (int byte = 0; byte < 8; ++byte)
      for (int j = 0; j < 8; ++j) totals[8 * byte + j] += (acc[byte] >> (8 * j)) & 0xFF;
  }
#endif
  std::uint64_t result = 0;
  for (int b = 0; b < 64; ++b)
    if (2 * std::uint64_t(totals[b]) > n) result |= std::uint64_t(1) << b;
  return result;
}

}  // namespace leitong
