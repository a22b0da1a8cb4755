#include <leitong/error.h>
#include <leitong/fingerprint.h>

#include <deque>

namespace leitong {

std::vector<Fingerprint> winnow(std::span<const std::uint64_t> hashes, const FingerprintParams& params) {
  if (params.window < 1) throw_error("winnowing window must be at least 1, not {}", params.window);
  std::vector<Fingerprint> out;
  const std::size_t n = hashes.size();
  if (n == 0) return out;
  const std::size_t w = std::min<std::size_t>(static_cast<std::size_t>(params.window), n);
  out.reserve(2 * n / (w + 1) + 1);
  // Monotonic deque of positions with increasing hashes; the front is the window's minimum. Equal
  // hashes pop the older one, so the rightmost minimum is chosen (robust winnowing).
  std::deque<std::uint32_t> window;
  std::size_t last = static_cast<std::size_t>(-1);
  for (std::size_t i = 0; i < n; ++i) {
    while (!window.empty() && hashes[window.back()] >= hashes[i]) window.pop_back();
    window.push_back(static_cast<std::uint32_t>(i));
    if (window.front() + w <= i) window.pop_front();
    if (i + 1 >= w && window.front() != last) {
      last = window.front();
      out.push_back({hashes[last], static_cast<std::uint32_t>(last)});
    }
  }
  return out;
}

}  // namespace leitong
