// Character diff of two short texts: which code points of each side are not part of a
// longest common subsequence. Myers' O((n+m)·D) greedy algorithm: fast for passages that differ in
// a few numbers and names. Beyond `max_edits` edits it gives up (returns false) and the caller shows
// the texts unmarked.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace leitong {

inline bool char_diff(std::u32string_view a, std::u32string_view b, std::vector<std::uint8_t>& changed_a,
                      std::vector<std::uint8_t>& changed_b, int max_edits = 400) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  changed_a.assign(a.size(), 1);
  changed_b.assign(b.size(), 1);
  const int max_d = std::min(n + m, max_edits);
  const int offset = max_d + 1;
  std::vector<int> v(2 * static_cast<std::size_t>(max_d) + 3, 0);
  std::vector<std::vector<int>> trace;
  int found_d = -1;
  for (int d = 0; d <= max_d && found_d < 0; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset])) ? v[k + 1 + offset]
                                                                             : v[k - 1 + offset] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + offset] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
  }
  if (found_d < 0) return false;
  // Walk back through the trace, marking the diagonal (common) stretches.
  int x = n, y = m;
  for (int d = found_d; d >= 0; --d) {
    const std::vector<int>& pv = trace[static_cast<std::size_t>(d)];
    const int k = x - y;
    int prev_k;
    if (d == 0) {
      prev_k = 0;
    } else {
      prev_k = (k == -d || (k != d && pv[k - 1 + offset] < pv[k + 1 + offset])) ? k + 1 : k - 1;
    }
    const int prev_x = d == 0 ? 0 : pv[prev_k + offset];
    const int prev_y = prev_x - prev_k;
    const int start_x = d == 0 ? 0 : (prev_k == k + 1 ? prev_x : prev_x + 1);
    const int start_y = start_x - k;
    for (int sx = start_x, sy = start_y; sx < x && sy < y; ++sx, ++sy) changed_a[sx] = 0, changed_b[sy] = 0;
    x = prev_x;
    y = prev_y;
  }
  return true;
}

}  // namespace leitong
