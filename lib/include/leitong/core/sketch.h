// Sketch: everything leitong computes from one document's text before it is indexed or compared —
// the normalized text with its offset map, shingle hashes, MinHash, SimHash and fingerprints.
// SketchParams gathers every parameter that changes those values; an archive stores it and refuses
// to mix sketches made with other parameters, and every Sketch carries the parameters it was made
// with. sketch_param_fields() describes each parameter once: the archive's stored JSON, the
// "built with other parameters" message, validation and the check's settings are all read off it.
#pragma once

#include <leitong/core/fingerprint.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>

#include <cstdint>
#include <optional>
#include <span>
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

// One member of SketchParams. Values are handled as unsigned 64-bit integers: switches 0 or 1, the
// MinHash variant as its enum value.
struct SketchParamField {
  enum class Kind { kSwitch, kNumber, kMinHashVariant };
  std::string_view group;    // object of the stored JSON: "normalize", "shingle", "minhash", "fingerprint"
  std::string_view key;      // member of that object: "nfkc", "n", "seed", ...
  std::string_view label;    // in messages: "NFKC", "shingle size", ...
  std::string_view setting;  // a normalization switch's name in check settings ("punctuation"); "" otherwise
  Kind kind = Kind::kNumber;
  std::uint64_t min = 0, max = UINT64_MAX;  // valid values
  // Its value in archives written before it existed (switches added after format version 1 read
  // as off); nullopt: every archive stores it.
  std::optional<std::uint64_t> when_absent;
  std::uint64_t (*get)(const SketchParams&) = nullptr;
  void (*set)(SketchParams&, std::uint64_t) = nullptr;
};

// Every member of SketchParams, in the order messages compare them.
std::span<const SketchParamField> sketch_param_fields();

// A field's value as people read it: "on"/"off", a number, or the variant's name.
std::string format_field_value(const SketchParamField& field, std::uint64_t value);

// A human-readable description of the first difference between two parameter sets, or "" if
// equal; used in "archive built with other parameters" refusals ("shingle size 5 vs 8").
std::string describe_difference(const SketchParams& archive, const SketchParams& requested);

// Throws Error("LABEL must be in [MIN, MAX], not VALUE") for the first value out of range.
void validate(const SketchParams& params);

// The normalization as a check reports it: "v1:nfkc,fold_case,punctuation,whitespace,digits,…"
// (kNormalizationVersion, then the switches that are on).
std::string normalization_label(const NormalizeParams& params);

struct Sketch {
  SketchParams params;  // what it was made with
  NormalizedText normalized;
  std::vector<std::uint64_t> shingles;  // one hash per normalized position (see shingle.h)
  MinHashSignature minhash;
  std::uint64_t simhash = 0;
  std::vector<Fingerprint> fingerprints;
};

Sketch make_sketch(std::u32string_view extracted_text, const SketchParams& params = {});

// make_sketch() into `sketch`, whose vectors keep their capacity from one call to the next: a
// thread that sketches document after document (a bulk load's workers) then allocates none of
// these for each. Many blocks of every length freed one after the other left glibc's heap in holes
// of as many sizes, which it walks in lists to file and to find blocks (bench/README.md, "The
// workers' heap").
void make_sketch_into(std::u32string_view extracted_text, const SketchParams& params, Sketch& sketch);

// The hashing part of make_sketch, on text already normalized: sets sketch.shingles, .minhash and
// .simhash (the values shingle_hashes, minhash and simhash give) in one pass over the text, each
// block of hashes summarized while it is still in cache. Leaves the other members alone.
void hash_normalized(std::u32string_view normalized, const SketchParams& params, Sketch& sketch);

// Only what alignment and its report need — normalized text, shingles, SimHash — for documents
// that are compared but not indexed (a check's candidates): MinHash and fingerprints stay empty.
Sketch make_alignment_sketch(std::u32string_view extracted_text, const SketchParams& params = {});

}  // namespace leitong
