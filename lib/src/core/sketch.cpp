#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>

#include "detail/sketch_accumulators.h"

#include <fmt/format.h>

#include <algorithm>

namespace leitong {

std::string describe_difference(const SketchParams& a, const SketchParams& b) {
  auto flag = [](bool v) { return v ? "on" : "off"; };
  const auto& na = a.normalize;
  const auto& nb = b.normalize;
  if (na.nfkc != nb.nfkc) return fmt::format("NFKC {} vs {}", flag(na.nfkc), flag(nb.nfkc));
  if (na.fold_case != nb.fold_case)
    return fmt::format("case folding {} vs {}", flag(na.fold_case), flag(nb.fold_case));
  if (na.canonical_punctuation != nb.canonical_punctuation)
    return fmt::format("punctuation folding {} vs {}", flag(na.canonical_punctuation),
                       flag(nb.canonical_punctuation));
  if (na.drop_whitespace != nb.drop_whitespace)
    return fmt::format("whitespace dropping {} vs {}", flag(na.drop_whitespace), flag(nb.drop_whitespace));
  if (na.mask_digits != nb.mask_digits)
    return fmt::format("digit masking {} vs {}", flag(na.mask_digits), flag(nb.mask_digits));
  if (na.traditional_to_simplified != nb.traditional_to_simplified)
    return fmt::format("traditional-to-simplified folding {} vs {}", flag(na.traditional_to_simplified),
                       flag(nb.traditional_to_simplified));
  if (na.mask_chinese_numerals != nb.mask_chinese_numerals)
    return fmt::format("Chinese numeral masking {} vs {}", flag(na.mask_chinese_numerals),
                       flag(nb.mask_chinese_numerals));
  if (a.shingle.n != b.shingle.n) return fmt::format("shingle size {} vs {}", a.shingle.n, b.shingle.n);
  if (a.shingle.seed != b.shingle.seed)
    return fmt::format("shingle seed {} vs {}", a.shingle.seed, b.shingle.seed);
  if (a.minhash.k != b.minhash.k) return fmt::format("MinHash k {} vs {}", a.minhash.k, b.minhash.k);
  if (a.minhash.seed != b.minhash.seed)
    return fmt::format("MinHash seed {} vs {}", a.minhash.seed, b.minhash.seed);
  if (a.minhash.variant != b.minhash.variant)
    return fmt::format("MinHash variant {} vs {}", minhash_variant_name(a.minhash.variant),
                       minhash_variant_name(b.minhash.variant));
  if (a.fingerprint.window != b.fingerprint.window)
    return fmt::format("winnowing window {} vs {}", a.fingerprint.window, b.fingerprint.window);
  return {};
}

namespace {

// Hashes the windows of `text` into `out` in blocks of a few KB and hands each block, still in L1
// cache, to the accumulators (nullptr: not wanted).
void hash_and_accumulate(std::u32string_view text, const ShingleParams& params, std::vector<std::uint64_t>& out,
                         detail::MinHashAccumulator* minhash_acc, detail::SimHashAccumulator& simhash_acc) {
  out.clear();
  const auto n = static_cast<std::size_t>(params.n);
  if (n == 0 || text.size() < n) return;
  const std::size_t total = text.size() - n + 1;
  // Appended block by block rather than resized first: a resize would zero-fill the whole vector
  // (a new one for every document) only to overwrite it.
  out.reserve(total);
  constexpr std::size_t kBlock = 512;  // a multiple of SimHash's 128-hash step
  std::uint64_t hashes[kBlock];
  for (std::size_t at = 0; at < total; at += kBlock) {
    const std::size_t count = std::min(kBlock, total - at);
    detail::hash_shingles(text.data() + at, count, params, hashes);
    const std::span<const std::uint64_t> block(hashes, count);
    if (minhash_acc) minhash_acc->add(block);
    simhash_acc.add(block);
    out.insert(out.end(), hashes, hashes + count);
  }
}

}  // namespace

void hash_normalized(std::u32string_view normalized, const SketchParams& params, Sketch& sketch) {
  detail::MinHashAccumulator minhash_acc(params.minhash);
  detail::SimHashAccumulator simhash_acc;
  hash_and_accumulate(normalized, params.shingle, sketch.shingles, &minhash_acc, simhash_acc);
  sketch.minhash = minhash_acc.finish();
  sketch.simhash = simhash_acc.finish();
}

Sketch make_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  sketch.normalized = normalize(extracted_text, params.normalize);
  hash_normalized(sketch.normalized.chars, params, sketch);
  sketch.fingerprints = winnow(sketch.shingles, params.fingerprint);
  return sketch;
}

Sketch make_alignment_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  sketch.normalized = normalize(extracted_text, params.normalize);
  detail::SimHashAccumulator simhash_acc;
  hash_and_accumulate(sketch.normalized.chars, params.shingle, sketch.shingles, nullptr, simhash_acc);
  sketch.simhash = simhash_acc.finish();
  return sketch;
}

}  // namespace leitong
