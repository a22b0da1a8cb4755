#include <leitong/simhash.h>
#include <leitong/sketch.h>

#include <fmt/format.h>

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
    return fmt::format("MinHash variant {} vs {}", int(a.minhash.variant), int(b.minhash.variant));
  if (a.fingerprint.window != b.fingerprint.window)
    return fmt::format("winnowing window {} vs {}", a.fingerprint.window, b.fingerprint.window);
  return {};
}

Sketch make_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  sketch.normalized = normalize(extracted_text, params.normalize);
  shingle_hashes(sketch.normalized.chars, params.shingle, sketch.shingles);
  sketch.minhash = minhash(sketch.shingles, params.minhash);
  sketch.simhash = simhash(sketch.shingles);
  sketch.fingerprints = winnow(sketch.shingles, params.fingerprint);
  return sketch;
}

Sketch make_alignment_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  sketch.normalized = normalize(extracted_text, params.normalize);
  shingle_hashes(sketch.normalized.chars, params.shingle, sketch.shingles);
  sketch.simhash = simhash(sketch.shingles);
  return sketch;
}

}  // namespace leitong
