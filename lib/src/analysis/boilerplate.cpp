#include <leitong/analysis/boilerplate.h>
#include <leitong/core/text.h>

#include <xxhash.h>

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

namespace leitong {

namespace {

struct LoadedDocument {
  DocumentInfo info;
  std::u32string text;
  Sketch sketch;
};

}  // namespace

BoilerplateResult mine_boilerplate(const Archive& archive, const BoilerplateParams& params) {
  BoilerplateResult result;
  result.min_agencies = params.min_agencies;
  const int b = std::max(1, params.min_agencies);
  const auto shared = archive.widely_shared_fingerprints(b, static_cast<std::size_t>(std::max(b, params.holders)));
  std::unordered_map<std::uint64_t, std::size_t> index_of;
  for (std::size_t i = 0; i < shared.size(); ++i) index_of.emplace(shared[i].key, i);
  std::vector<std::uint8_t> covered(shared.size(), 0);

  const SketchParams& sp = archive.params().sketch;
  // Bounded (seeds of one passage share holders). Shared pointers: emptying the cache while the
  // representative is aligned with its other holders must not free it under its reader.
  std::map<std::int64_t, std::shared_ptr<const LoadedDocument>> cache;
  auto load = [&](std::int64_t id) -> std::shared_ptr<const LoadedDocument> {
    auto it = cache.find(id);
    if (it == cache.end()) {
      if (cache.size() > 256) cache.clear();
      auto doc = std::make_shared<LoadedDocument>(LoadedDocument{archive.info(id), archive.text(id), {}});
      doc->sketch = make_sketch(doc->text, sp);  // fingerprints locate the seeds
      it = cache.emplace(id, std::move(doc)).first;
    }
    return it->second;
  };
  std::unordered_set<std::uint64_t> seen_texts;

  for (std::size_t seed = 0; seed < shared.size() && result.passages.size() < params.top; ++seed) {
    if (covered[seed] || shared[seed].holders.size() < std::size_t(b)) continue;
    covered[seed] = 1;
    const std::shared_ptr<const LoadedDocument> rep_held = load(shared[seed].holders[0]);
    const LoadedDocument& rep = *rep_held;
    const std::size_t size = rep.sketch.normalized.size();
    // Other agencies covering each normalized position of the representative.
    std::vector<std::uint16_t> agencies_at(size, 0);
    for (std::size_t h = 1; h < shared[seed].holders.size(); ++h) {
      const std::shared_ptr<const LoadedDocument> other = load(shared[seed].holders[h]);
      std::vector<std::uint8_t> mark(size, 0);
      for (const AlignedPassage& p : align(rep.sketch, other->sketch, sp.shingle.n, params.align))
        for (const MatchRun& r : p.runs) std::fill_n(mark.begin() + r.query, r.length, 1);
      for (std::size_t q = 0; q < size; ++q) agencies_at[q] = static_cast<std::uint16_t>(agencies_at[q] + mark[q]);
    }
    // The seed's positions in the representative, and the shared stretch around the first.
    std::size_t at = size;
    for (const Fingerprint& fp : rep.sketch.fingerprints)
      if (archive.fingerprint_key(fp.hash) == shared[seed].key) {
        at = fp.position;
        break;
      }
    if (at >= size || agencies_at[at] + 1 < b) continue;
    std::size_t begin = at, end = at;
    while (begin > 0 && agencies_at[begin - 1] + 1 >= b) --begin;
    while (end < size && agencies_at[end] + 1 >= b) ++end;
    if (end - begin < std::size_t(std::max(1, params.align.min_passage) / 2)) continue;

    BoilerplatePassage passage;
    passage.example = rep.info;
    passage.start = rep.sketch.normalized.source_begin(begin);
    passage.end = rep.sketch.normalized.source_end(end);
    passage.text = encode_utf8(std::u32string_view(rep.text).substr(passage.start, passage.end - passage.start));
    for (const Fingerprint& fp : rep.sketch.fingerprints) {
      if (fp.position < begin || fp.position >= end) continue;
      const auto it = index_of.find(archive.fingerprint_key(fp.hash));
      if (it == index_of.end()) continue;
      covered[it->second] = 1;
      const SharedFingerprint& s = shared[it->second];
      if (s.agencies > passage.agencies) {
        passage.agencies = s.agencies;
        passage.documents = s.documents;
        passage.years = s.years;
      }
    }
    const auto& chars = rep.sketch.normalized.chars;
    const std::uint64_t key = XXH3_64bits(chars.data() + begin, (end - begin) * sizeof(char32_t));
    if (!seen_texts.insert(key).second) continue;
    result.passages.push_back(std::move(passage));
  }
  std::stable_sort(result.passages.begin(), result.passages.end(),
                   [](const BoilerplatePassage& a, const BoilerplatePassage& c) { return a.agencies > c.agencies; });
  return result;
}

}  // namespace leitong
