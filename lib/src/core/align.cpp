#include <leitong/core/align.h>

#include <leitong/core/detail/shingle_positions.h>

#include <algorithm>
#include <cstdlib>

namespace leitong {

namespace {

// Exact common substrings, one per maximal diagonal stretch of equal shingles. With `self`, only
// pairs whose source lies strictly before the query are used and every run is clipped so that
// its source copy ends before its query copy begins.
//
// A shingle occurring more than max_occurrences times in the source locates nothing between two
// documents and is skipped. Within one document (`self`) it is what a text repeated many times is
// made of: there its nearest earlier occurrence alone is the seed, so that each copy is matched
// with the one before it and the work stays linear however often the text repeats.
std::vector<MatchRun> find_runs(const std::vector<std::uint64_t>& q, const std::vector<std::uint64_t>& s,
                                const detail::ShinglePositions& positions, int shingle_n,
                                int max_occurrences, bool self) {
  // Per query position: kAll, every occurrence seeds; kNearest (self only, a common shingle), the
  // nearest earlier occurrence `nearest[i]` alone; kNone, no seed.
  enum : std::uint8_t { kNone, kAll, kNearest };
  std::vector<std::uint8_t> usable(q.size(), kNone);
  std::vector<std::uint32_t> nearest;
  if (self) nearest.resize(q.size());
  for (std::uint32_t i = 0; i < q.size(); ++i) {
    const std::span<const std::uint32_t> at = positions.find(q[i]);
    if (at.empty()) continue;
    if (at.size() <= static_cast<std::size_t>(max_occurrences)) {
      usable[i] = kAll;
    } else if (self) {
      const auto before = std::lower_bound(at.begin(), at.end(), i);  // positions are ascending
      if (before == at.begin()) continue;
      usable[i] = kNearest;
      nearest[i] = *(before - 1);
    }
  }
  // Each maximal diagonal stretch of seed pairs is found once, from its first pair, and followed
  // by comparing hashes along the diagonal; a pair whose predecessor on the diagonal is a seed pair
  // is inside the run found from there. Every seed pair is visited by one run at most.
  auto seed_pair = [&](std::uint32_t i, std::uint32_t j) {
    return usable[i] == kAll || (usable[i] == kNearest && nearest[i] == j);
  };
  std::vector<MatchRun> runs;  // lengths in shingles while building
  auto follow = [&](std::uint32_t i, std::uint32_t j) {
    if (i > 0 && j > 0 && q[i - 1] == s[j - 1] && seed_pair(i - 1, j - 1)) return;  // inside a run
    std::uint32_t length = 1;
    while (i + length < q.size() && j + length < s.size() && q[i + length] == s[j + length] &&
           seed_pair(i + length, j + length))
      ++length;
    runs.push_back({i, j, length});
  };
  for (std::uint32_t i = 0; i < q.size(); ++i) {
    if (usable[i] == kNearest) {
      follow(i, nearest[i]);
      continue;
    }
    if (usable[i] != kAll) continue;
    for (const std::uint32_t j : positions.find(q[i])) {
      if (self && j >= i) break;
      follow(i, j);
    }
  }
  const auto extra = static_cast<std::uint32_t>(shingle_n - 1);
  std::vector<MatchRun> out;
  out.reserve(runs.size());
  const auto shortest = static_cast<std::uint32_t>(shingle_n);
  for (MatchRun r : runs) {
    r.length += extra;  // shingles → characters
    // A run that overlaps its own source is periodic text (a paragraph repeated back to back): cut
    // at every period, each piece repeating the one before it.
    const std::uint32_t period = self ? r.query - r.source : r.length;
    for (std::uint32_t at = 0; at < r.length; at += period) {
      const std::uint32_t length = std::min(period, r.length - at);
      if (length >= shortest) out.push_back({r.query + at, r.source + at, length});
    }
  }
  return out;
}

// Longest runs first; each query character goes to one run. A run that overlaps characters already
// taken keeps its uncovered pieces of at least `min_run` characters.
std::vector<MatchRun> tile(std::vector<MatchRun> runs, std::size_t query_size, std::uint32_t min_run) {
  std::sort(runs.begin(), runs.end(), [](const MatchRun& a, const MatchRun& b) {
    return a.length != b.length ? a.length > b.length
                                : (a.query != b.query ? a.query < b.query : a.source < b.source);
  });
  std::vector<std::uint8_t> taken(query_size, 0);
  std::vector<MatchRun> out;
  for (const MatchRun& r : runs) {
    std::uint32_t k = 0;
    while (k < r.length) {
      while (k < r.length && taken[r.query + k]) ++k;
      const std::uint32_t start = k;
      while (k < r.length && !taken[r.query + k]) ++k;
      if (k - start >= min_run) {
        out.push_back({r.query + start, r.source + start, k - start});
        std::fill(taken.begin() + r.query + start, taken.begin() + r.query + k, 1);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const MatchRun& a, const MatchRun& b) { return a.query < b.query; });
  return out;
}

AlignedPassage passage_of(const MatchRun& r) {
  AlignedPassage p;
  p.query_begin = r.query;
  p.query_end = r.query + r.length;
  p.source_begin = r.source;
  p.source_end = r.source + r.length;
  p.matched = r.length;
  p.runs = {r};
  return p;
}

std::int64_t diagonal(const MatchRun& r) { return std::int64_t(r.source) - std::int64_t(r.query); }

// Distance between the source ranges of two passages (0 if they overlap).
std::int64_t source_distance(const AlignedPassage& a, const AlignedPassage& b) {
  if (b.source_end < a.source_begin) return std::int64_t(a.source_begin) - b.source_end;
  if (b.source_begin > a.source_end) return std::int64_t(b.source_begin) - a.source_end;
  return 0;
}

void absorb(AlignedPassage& p, const MatchRun& r) {
  p.query_end = std::max(p.query_end, r.query + r.length);
  p.source_begin = std::min(p.source_begin, r.source);
  p.source_end = std::max(p.source_end, r.source + r.length);
  p.matched += r.length;
  p.runs.push_back(r);
}

// Joins runs that continue one another: the next run starts at most max_gap characters later in
// the query, and its diagonal (source - query) differs by at most max_gap from the previous run's,
// i.e. what lies between them is an insertion, a deletion or a replacement of bounded size.
// With `self`, a run joins only if its source copy ends before the passage's query range begins, so
// a passage never overlaps the earlier text it repeats.
std::vector<AlignedPassage> chain(const std::vector<MatchRun>& runs, const AlignParams& params, bool self) {
  std::vector<AlignedPassage> open, closed;
  for (const MatchRun& r : runs) {
    for (std::size_t k = 0; k < open.size();) {
      if (std::int64_t(open[k].query_end) + params.max_gap < std::int64_t(r.query)) {
        closed.push_back(std::move(open[k]));
        open.erase(open.begin() + std::ptrdiff_t(k));
      } else {
        ++k;
      }
    }
    AlignedPassage* best = nullptr;
    std::int64_t best_drift = std::int64_t(params.max_gap) + 1;
    for (AlignedPassage& p : open) {
      const MatchRun& last = p.runs.back();
      if (std::int64_t(r.source) + params.max_gap < std::int64_t(last.source) + last.length) continue;
      if (self && r.source + r.length > p.query_begin) continue;
      const std::int64_t drift = std::abs(diagonal(r) - diagonal(last));
      if (drift < best_drift) best = &p, best_drift = drift;
    }
    if (best) absorb(*best, r);
    else open.push_back(passage_of(r));
  }
  for (auto& p : open) closed.push_back(std::move(p));
  return closed;
}

// Joins neighbouring passages whose sources lie close together: sentences reordered inside a
// paragraph give one passage per sentence, each valid on its own; this makes them one.
std::vector<AlignedPassage> join_reordered(std::vector<AlignedPassage> passages, const AlignParams& params) {
  std::vector<AlignedPassage> out;
  for (AlignedPassage& p : passages) {
    if (!out.empty() && std::int64_t(p.query_begin) - out.back().query_end <= params.max_gap &&
        source_distance(out.back(), p) <= params.max_source_jump) {
      for (const MatchRun& r : p.runs) absorb(out.back(), r);
    } else {
      out.push_back(std::move(p));
    }
  }
  return out;
}

// A chain that is too sparse as a whole may hold a dense passage (a shared formula followed by
// scattered stock phrases): split it at its widest gap, recursively, keeping the dense pieces.
void split_until_dense(const AlignedPassage& p, const AlignParams& params, std::uint32_t min_len,
                       std::vector<AlignedPassage>& out) {
  if (p.query_end - p.query_begin < min_len || p.matched < min_len) return;
  if (p.density() >= params.min_density) {
    out.push_back(p);
    return;
  }
  if (p.runs.size() < 2) return;
  std::size_t cut = 1;
  std::int64_t widest = -1;
  for (std::size_t i = 1; i < p.runs.size(); ++i) {
    const std::int64_t gap = std::int64_t(p.runs[i].query) - (std::int64_t(p.runs[i - 1].query) + p.runs[i - 1].length);
    if (gap > widest) widest = gap, cut = i;
  }
  AlignedPassage left, right;
  if (restrict_passage(p, p.query_begin, p.runs[cut].query, 1, left)) split_until_dense(left, params, min_len, out);
  if (restrict_passage(p, p.runs[cut].query, p.query_end, 1, right)) split_until_dense(right, params, min_len, out);
}

// Keeps passages long and dense enough; resolves the rare query overlaps (a chance passage inside a
// longer one) in favour of the passage with more matched characters.
std::vector<AlignedPassage> select(const std::vector<AlignedPassage>& chained, const AlignParams& params) {
  const auto min_len = static_cast<std::uint32_t>(std::max(1, params.min_passage));
  std::vector<AlignedPassage> passages;
  for (const AlignedPassage& p : chained) split_until_dense(p, params, min_len, passages);
  std::sort(passages.begin(), passages.end(),
            [](const AlignedPassage& a, const AlignedPassage& b) { return a.matched > b.matched; });
  std::vector<AlignedPassage> out;
  for (const AlignedPassage& p : passages) {
    std::uint32_t begin = p.query_begin, end = p.query_end;
    for (const AlignedPassage& kept : out) {
      if (kept.query_end <= begin || kept.query_begin >= end) continue;
      // Keep the larger side of p outside `kept`.
      const std::uint32_t left = kept.query_begin > begin ? kept.query_begin - begin : 0;
      const std::uint32_t right = end > kept.query_end ? end - kept.query_end : 0;
      if (left >= right) end = std::min(end, kept.query_begin);
      else begin = std::max(begin, kept.query_end);
      if (end <= begin) break;
    }
    AlignedPassage restricted;
    if (end > begin && restrict_passage(p, begin, end, min_len, restricted) &&
        restricted.density() >= params.min_density)
      out.push_back(std::move(restricted));
  }
  std::sort(out.begin(), out.end(),
            [](const AlignedPassage& a, const AlignedPassage& b) { return a.query_begin < b.query_begin; });
  return out;
}

std::vector<AlignedPassage> align_impl(const Sketch& query, const Sketch& source,
                                       const detail::ShinglePositions& source_positions,
                                       int shingle_n, const AlignParams& params, bool self) {
  auto runs = find_runs(query.shingles, source.shingles, source_positions, shingle_n,
                        params.max_occurrences, self);
  runs = tile(std::move(runs), query.normalized.size(), static_cast<std::uint32_t>(shingle_n));
  auto passages = select(chain(runs, params, self), params);
  return self ? passages : join_reordered(std::move(passages), params);
}

}  // namespace

bool restrict_passage(const AlignedPassage& passage, std::uint32_t query_begin, std::uint32_t query_end,
                      std::uint32_t min_length, AlignedPassage& out) {
  out = AlignedPassage{};
  bool any = false;
  for (const MatchRun& r : passage.runs) {
    const std::uint32_t b = std::max(r.query, query_begin);
    const std::uint32_t e = std::min(r.query + r.length, query_end);
    if (e <= b) continue;
    const MatchRun clipped{b, r.source + (b - r.query), e - b};
    if (!any) {
      out.query_begin = clipped.query;
      out.source_begin = clipped.source;
      out.source_end = clipped.source + clipped.length;
      any = true;
    }
    out.query_end = std::max(out.query_end, clipped.query + clipped.length);
    out.source_begin = std::min(out.source_begin, clipped.source);
    out.source_end = std::max(out.source_end, clipped.source + clipped.length);
    out.matched += clipped.length;
    out.runs.push_back(clipped);
  }
  return any && out.query_end - out.query_begin >= min_length;
}

std::vector<AlignedPassage> align(const Sketch& query, const Sketch& source, int shingle_n,
                                  const AlignParams& params) {
  return align_impl(query, source, detail::ShinglePositions(source.shingles), shingle_n, params, false);
}

std::vector<AlignedPassage> align_self(const Sketch& document, int shingle_n, const AlignParams& params) {
  return align_impl(document, document, detail::ShinglePositions(document.shingles), shingle_n, params,
                    true);
}

namespace detail {
std::vector<AlignedPassage> align_indexed(const Sketch& query, const Sketch& source,
                                          const ShinglePositions& source_positions, int shingle_n,
                                          const AlignParams& params) {
  return align_impl(query, source, source_positions, shingle_n, params, false);
}
}  // namespace detail

}  // namespace leitong
