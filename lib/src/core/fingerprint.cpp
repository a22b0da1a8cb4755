#include <leitong/core/error.h>
#include <leitong/core/fingerprint.h>

#include <algorithm>

namespace leitong {

std::vector<Fingerprint> winnow(std::span<const std::uint64_t> hashes, const FingerprintParams& params) {
  if (params.window < 1) throw_error("winnowing window must be at least 1, not {}", params.window);
  std::vector<Fingerprint> out;
  const std::size_t n = hashes.size();
  if (n == 0) return out;
  const std::size_t w = std::min<std::size_t>(static_cast<std::size_t>(params.window), n);
  out.reserve(2 * n / (w + 1) + 1);
  // The rightmost minimum of the current window [i + 1 - w, i]. A new hash at or below it takes
  // over; when it leaves the window, the window is rescanned (on average once per w/2 steps), which
  // is cheaper than a monotonic deque's unpredictable branches. The minimum's value is kept beside
  // its place, so the rescan is two conditional moves a hash rather than a load that waits on the
  // last comparison (what -march=native's tuning made of the plain loop, and generic tuning not).
  std::size_t min_at = 0;
  std::uint64_t min_value = 0;
  auto rescan = [&](std::size_t first, std::size_t last) {
    min_at = first;
    min_value = hashes[first];
    for (std::size_t k = first + 1; k <= last; ++k) {
      const std::uint64_t h = hashes[k];
      const bool take = h <= min_value;
      min_value = take ? h : min_value;
      min_at = take ? k : min_at;
    }
  };
  rescan(0, w - 1);
  out.push_back({min_value, static_cast<std::uint32_t>(min_at)});
  for (std::size_t i = w; i < n; ++i) {
    const std::size_t first = i + 1 - w;
    if (min_at < first) {
      rescan(first, i);
    } else if (hashes[i] <= min_value) {
      min_at = i;
      min_value = hashes[i];
    } else {
      continue;
    }
    if (out.back().position != min_at) out.push_back({min_value, static_cast<std::uint32_t>(min_at)});
  }
  return out;
}

}  // namespace leitong
