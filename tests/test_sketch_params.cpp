// Tests for the sketch parameter table (sketch.h: sketch_param_fields) and what is read off it:
// the difference message, validation, the check's normalization label, and the parameters a
// Sketch carries.
#include <gtest/gtest.h>
#include <leitong/core/error.h>
#include <leitong/core/sketch.h>

#include <set>
#include <string>

namespace leitong::testing {
namespace {

// Every field's setter changes exactly its own member: setting each to a value other than its
// default makes the parameters differ, the getter reads it back, and the others keep theirs.
TEST(SketchParams, EveryFieldReadsAndWritesItsOwnMember) {
  const SketchParams defaults;
  std::set<std::string> names;
  for (const SketchParamField& field : sketch_param_fields()) {
    EXPECT_TRUE(names.insert(std::string(field.group) + "." + std::string(field.key)).second);
    SketchParams changed = defaults;
    const std::uint64_t other = field.kind == SketchParamField::Kind::kSwitch ? !field.get(defaults)
                                : field.kind == SketchParamField::Kind::kMinHashVariant
                                    ? std::uint64_t(field.get(defaults) == 0)
                                    : field.get(defaults) + 1;
    field.set(changed, other);
    EXPECT_EQ(field.get(changed), other) << field.label;
    EXPECT_NE(changed, defaults) << field.label;
    for (const SketchParamField& rest : sketch_param_fields()) {
      if (&rest != &field) {
        EXPECT_EQ(rest.get(changed), rest.get(defaults)) << field.label << " / " << rest.label;
      }
    }
    // The difference names the field and both values.
    EXPECT_EQ(describe_difference(defaults, changed),
              std::string(field.label) + " " + format_field_value(field, field.get(defaults)) +
                  " vs " + format_field_value(field, other));
  }
  // Seven normalization switches, shingle n and seed, MinHash k, seed and variant, the window.
  EXPECT_EQ(names.size(), 13u);
}

// Each member of SketchParams is covered: a change to any of them is a difference.
TEST(SketchParams, AChangeToAnyMemberIsADifference) {
  const SketchParams d;
  std::vector<SketchParams> changed(13, d);
  changed[0].normalize.nfkc = false;
  changed[1].normalize.fold_case = false;
  changed[2].normalize.canonical_punctuation = false;
  changed[3].normalize.drop_whitespace = false;
  changed[4].normalize.mask_digits = false;
  changed[5].normalize.traditional_to_simplified = false;
  changed[6].normalize.mask_chinese_numerals = false;
  changed[7].shingle.n = 6;
  changed[8].shingle.seed = 1;
  changed[9].minhash.k = 64;
  changed[10].minhash.seed = 1;
  changed[11].minhash.variant = MinHashVariant::kOnePermutation;
  changed[12].fingerprint.window = 12;
  std::set<std::string> messages;
  for (const SketchParams& c : changed) {
    const std::string message = describe_difference(d, c);
    EXPECT_FALSE(message.empty());
    messages.insert(message);
  }
  EXPECT_EQ(messages.size(), changed.size());
  EXPECT_EQ(describe_difference(d, d), "");
  EXPECT_EQ(describe_difference(d, changed[7]), "shingle size 5 vs 6");
  EXPECT_EQ(describe_difference(d, changed[0]), "NFKC on vs off");
  EXPECT_EQ(describe_difference(d, changed[11]),
            "MinHash variant one_permutation_direct vs one_permutation");
}

TEST(SketchParams, ValidationNamesTheFieldAndItsRange) {
  auto message = [](const SketchParams& p) {
    try {
      validate(p);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  SketchParams p;
  EXPECT_EQ(message(p), "");
  p.shingle.n = 0;
  EXPECT_EQ(message(p), "shingle size must be in [1, 64], not 0");
  p.shingle.n = -3;
  EXPECT_EQ(message(p), "shingle size must be in [1, 64], not -3");
  p.shingle.n = 65;
  EXPECT_EQ(message(p), "shingle size must be in [1, 64], not 65");
  p = {};
  p.minhash.k = 0;
  EXPECT_EQ(message(p), "MinHash k must be in [1, 4096], not 0");
  p = {};
  p.fingerprint.window = 0;
  EXPECT_EQ(message(p), "winnowing window must be in [1, 1048576], not 0");
}

TEST(SketchParams, NormalizationLabelListsTheSwitchesThatAreOn) {
  NormalizeParams n;
  EXPECT_EQ(normalization_label(n),
            "v1:nfkc,fold_case,punctuation,whitespace,digits,t2s,chinese_numerals");
  n.fold_case = false;
  n.mask_chinese_numerals = false;
  EXPECT_EQ(normalization_label(n), "v1:nfkc,punctuation,whitespace,digits,t2s");
  n = {false, false, false, false, false, false, false};
  EXPECT_EQ(normalization_label(n), "v1:");
}

TEST(SketchParams, ASketchCarriesTheParametersItWasMadeWith) {
  SketchParams p;
  p.shingle.n = 7;
  p.normalize.mask_digits = false;
  const std::u32string text =
      U"坚持以习近平新时代中国特色社会主义思想为指导，2024年全面推进依法行政。";
  EXPECT_EQ(make_sketch(text, p).params, p);
  EXPECT_EQ(make_alignment_sketch(text, p).params, p);
  EXPECT_EQ(make_sketch(text).params, SketchParams{});
}

}  // namespace
}  // namespace leitong::testing
