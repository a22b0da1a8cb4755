#include <leitong/core/error.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>

#include <fmt/format.h>

#include "detail/sketch_accumulators.h"

#include <algorithm>

namespace leitong {

namespace {

template <auto Member>
constexpr std::uint64_t get_switch(const SketchParams& p) {
  return p.normalize.*Member ? 1 : 0;
}
template <auto Member>
constexpr void set_switch(SketchParams& p, std::uint64_t v) {
  p.normalize.*Member = v != 0;
}

using Kind = SketchParamField::Kind;

constexpr SketchParamField normalize_switch(std::string_view key, std::string_view label,
                                            std::string_view setting,
                                            std::uint64_t (*get)(const SketchParams&),
                                            void (*set)(SketchParams&, std::uint64_t),
                                            std::optional<std::uint64_t> when_absent = {}) {
  return {"normalize", key, label, setting, Kind::kSwitch, 0, 1, when_absent, get, set};
}

const SketchParamField kFields[] = {
    normalize_switch("nfkc", "NFKC", "nfkc", get_switch<&NormalizeParams::nfkc>,
                     set_switch<&NormalizeParams::nfkc>),
    normalize_switch("fold_case", "case folding", "fold_case", get_switch<&NormalizeParams::fold_case>,
                     set_switch<&NormalizeParams::fold_case>),
    normalize_switch("canonical_punctuation", "punctuation folding", "punctuation",
                     get_switch<&NormalizeParams::canonical_punctuation>,
                     set_switch<&NormalizeParams::canonical_punctuation>),
    normalize_switch("drop_whitespace", "whitespace dropping", "whitespace",
                     get_switch<&NormalizeParams::drop_whitespace>,
                     set_switch<&NormalizeParams::drop_whitespace>),
    normalize_switch("mask_digits", "digit masking", "digits", get_switch<&NormalizeParams::mask_digits>,
                     set_switch<&NormalizeParams::mask_digits>),
    normalize_switch("traditional_to_simplified", "traditional-to-simplified folding", "t2s",
                     get_switch<&NormalizeParams::traditional_to_simplified>,
                     set_switch<&NormalizeParams::traditional_to_simplified>, 0),
    normalize_switch("mask_chinese_numerals", "Chinese numeral masking", "chinese_numerals",
                     get_switch<&NormalizeParams::mask_chinese_numerals>,
                     set_switch<&NormalizeParams::mask_chinese_numerals>, 0),
    {"shingle", "n", "shingle size", "", Kind::kNumber, 1, 64, {},
     [](const SketchParams& p) { return std::uint64_t(p.shingle.n); },
     [](SketchParams& p, std::uint64_t v) { p.shingle.n = static_cast<int>(v); }},
    {"shingle", "seed", "shingle seed", "", Kind::kNumber, 0, UINT64_MAX, {},
     [](const SketchParams& p) { return p.shingle.seed; },
     [](SketchParams& p, std::uint64_t v) { p.shingle.seed = v; }},
    {"minhash", "k", "MinHash k", "", Kind::kNumber, 1, 4096, {},
     [](const SketchParams& p) { return std::uint64_t(p.minhash.k); },
     [](SketchParams& p, std::uint64_t v) { p.minhash.k = static_cast<int>(v); }},
    {"minhash", "seed", "MinHash seed", "", Kind::kNumber, 0, UINT64_MAX, {},
     [](const SketchParams& p) { return p.minhash.seed; },
     [](SketchParams& p, std::uint64_t v) { p.minhash.seed = v; }},
    {"minhash", "variant", "MinHash variant", "", Kind::kMinHashVariant, 0, UINT64_MAX, {},
     [](const SketchParams& p) { return std::uint64_t(p.minhash.variant); },
     [](SketchParams& p, std::uint64_t v) { p.minhash.variant = static_cast<MinHashVariant>(v); }},
    {"fingerprint", "window", "winnowing window", "", Kind::kNumber, 1, 1u << 20, {},
     [](const SketchParams& p) { return std::uint64_t(p.fingerprint.window); },
     [](SketchParams& p, std::uint64_t v) { p.fingerprint.window = static_cast<int>(v); }},
};

}  // namespace

std::span<const SketchParamField> sketch_param_fields() { return kFields; }

std::string format_field_value(const SketchParamField& field, std::uint64_t value) {
  switch (field.kind) {
    case Kind::kSwitch:
      return value ? "on" : "off";
    case Kind::kMinHashVariant:
      return std::string(minhash_variant_name(static_cast<MinHashVariant>(value)));
    case Kind::kNumber:
      break;
  }
  // Members of type int are read through the unsigned value: a negative one prints as itself.
  return field.max <= INT64_MAX ? std::to_string(static_cast<std::int64_t>(value)) : std::to_string(value);
}

std::string describe_difference(const SketchParams& a, const SketchParams& b) {
  for (const SketchParamField& field : kFields)
    if (field.get(a) != field.get(b))
      return fmt::format("{} {} vs {}", field.label, format_field_value(field, field.get(a)),
                         format_field_value(field, field.get(b)));
  return {};
}

void validate(const SketchParams& params) {
  for (const SketchParamField& field : kFields) {
    const std::uint64_t v = field.get(params);
    if (v < field.min || v > field.max)
      throw_error("{} must be in [{}, {}], not {}", field.label, field.min, field.max,
                  format_field_value(field, v));
  }
}

std::string normalization_label(const NormalizeParams& normalize) {
  SketchParams params;
  params.normalize = normalize;
  std::string steps;
  for (const SketchParamField& field : kFields) {
    if (field.setting.empty() || !field.get(params)) continue;
    if (!steps.empty()) steps += ',';
    steps += field.setting;
  }
  return fmt::format("v{}:{}", kNormalizationVersion, steps);
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

void make_sketch_into(std::u32string_view extracted_text, const SketchParams& params, Sketch& sketch) {
  sketch.params = params;
  normalize_into(extracted_text, params.normalize, sketch.normalized);
  hash_normalized(sketch.normalized.chars, params, sketch);
  sketch.fingerprints = winnow(sketch.shingles, params.fingerprint);
}

Sketch make_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  make_sketch_into(extracted_text, params, sketch);
  return sketch;
}

Sketch make_alignment_sketch(std::u32string_view extracted_text, const SketchParams& params) {
  Sketch sketch;
  sketch.params = params;
  sketch.normalized = normalize(extracted_text, params.normalize);
  detail::SimHashAccumulator simhash_acc;
  hash_and_accumulate(sketch.normalized.chars, params.shingle, sketch.shingles, nullptr, simhash_acc);
  sketch.simhash = simhash_acc.finish();
  return sketch;
}

}  // namespace leitong
