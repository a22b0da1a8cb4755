// Sketch: everything leitong computes from one document's text before it is indexed or compared —
// the normalized text with its offset map, shingle hashes, MinHash, SimHash and fingerprints.
// SketchParams gathers every parameter that changes those values; an archive stores it and refuses
// to mix sketches made with other parameters.
#pragma once

#include <leitong/core/fingerprint.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

struct SketchParams {
  NormalizeParams normalize;
  ShingleParams shingle;
  MinHashParams minhash;
  FingerprintParams fingerprint;
  friend bool operator==(const SketchParams&, const SketchParams&) = default;
};

// A human-readable description of the first difference between two parameter sets, or "" if
// equal; used in "archive built with other parameters" refusals.
std::string describe_difference(const SketchParams& archive, const SketchParams& requested);

struct Sketch {
  NormalizedText normalized;
  std::vector<std::uint64_t> shingles;  // one hash per normalized position (see shingle.h)
  MinHashSignature minhash;
  std::uint64_t simhash = 0;
  std::vector<Fingerprint> fingerprints;
};

Sketch make_sketch(std::u32string_view extracted_text, const SketchParams& params = {});

// The hashing part of make_sketch, on text already normalized: sets sketch.shingles, .minhash and
// .simhash (the values shingle_hashes, minhash and simhash give) in one pass over the text, each
// block of hashes summarized while it is still in cache. Leaves the other members alone.
void hash_normalized(std::u32string_view normalized, const SketchParams& params, Sketch& sketch);

// Only what alignment and its report need — normalized text, shingles, SimHash — for documents
// that are compared but not indexed (a check's candidates): MinHash and fingerprints stay empty.
Sketch make_alignment_sketch(std::u32string_view extracted_text, const SketchParams& params = {});

}  // namespace leitong
