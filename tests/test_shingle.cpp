// Unit tests for shingle.h: window counts, hash equality of equal windows, the seed, shingle sets
// and exact Jaccard similarity.
#include <gtest/gtest.h>
#include <leitong/core/shingle.h>

#include <cstdint>
#include <string>
#include <vector>

namespace leitong {
namespace {

TEST(Shingle, CountIsSizeMinusNPlusOne) {
  const std::u32string text = U"坚持以人民为中心的发展思想";  // 13 code points
  for (int n = 1; n <= 13; ++n) {
    ShingleParams p;
    p.n = n;
    EXPECT_EQ(shingle_hashes(text, p).size(), text.size() - static_cast<std::size_t>(n) + 1) << n;
  }
  ShingleParams p;
  p.n = 14;
  EXPECT_TRUE(shingle_hashes(text, p).empty());
  EXPECT_TRUE(shingle_hashes(U"", ShingleParams{}).empty());
  EXPECT_TRUE(shingle_hashes(U"四个字啊", ShingleParams{}).empty());  // 4 < n = 5
  EXPECT_EQ(shingle_hashes(U"五个字啊啊", ShingleParams{}).size(), 1u);
}

TEST(Shingle, BufferOverloadClearsAndMatches) {
  std::vector<std::uint64_t> buffer = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const std::u32string text = U"全面推进依法行政";
  shingle_hashes(text, ShingleParams{}, buffer);
  EXPECT_EQ(buffer, shingle_hashes(text));
  shingle_hashes(U"短", ShingleParams{}, buffer);
  EXPECT_TRUE(buffer.empty());
}

TEST(Shingle, EqualWindowsGiveEqualHashes) {
  // "依法行政" repeats at 2 and 10 (n = 4); other windows differ.
  const std::u32string text = U"全面依法行政加强监督依法行政";
  ShingleParams p;
  p.n = 4;
  const auto h = shingle_hashes(text, p);
  ASSERT_EQ(h.size(), text.size() - 3);
  EXPECT_EQ(h[2], h[10]);
  for (std::size_t i = 0; i < h.size(); ++i)
    for (std::size_t j = i + 1; j < h.size(); ++j)
      if (text.substr(i, 4) != text.substr(j, 4)) {
        EXPECT_NE(h[i], h[j]) << i << " " << j;
      }
  // The hash depends on the window only, not on the surrounding text.
  EXPECT_EQ(shingle_hashes(U"依法行政", p)[0], h[2]);
}

TEST(Shingle, SeedChangesHashes) {
  const std::u32string text = U"深入贯彻落实党的二十大精神";
  ShingleParams a, b;
  b.seed = 1;
  const auto ha = shingle_hashes(text, a), hb = shingle_hashes(text, b);
  ASSERT_EQ(ha.size(), hb.size());
  for (std::size_t i = 0; i < ha.size(); ++i) EXPECT_NE(ha[i], hb[i]);
  EXPECT_EQ(shingle_hashes(text, a), ha);  // deterministic
}

TEST(Shingle, ShingleSetIsSortedAndUnique) {
  const std::vector<std::uint64_t> in = {9, 3, 3, 7, 1, 9, 9, 0, 7};
  EXPECT_EQ(shingle_set(in), (std::vector<std::uint64_t>{0, 1, 3, 7, 9}));
  EXPECT_TRUE(shingle_set({}).empty());
  const auto hashes = shingle_hashes(U"啊啊啊啊啊啊啊啊啊啊");
  ASSERT_EQ(hashes.size(), 6u);
  EXPECT_EQ(shingle_set(hashes).size(), 1u);
}

TEST(Shingle, ExactJaccard) {
  using V = std::vector<std::uint64_t>;
  EXPECT_DOUBLE_EQ(exact_jaccard(V{}, V{}), 0.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 2, 3}, V{}), 0.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{}, V{1}), 0.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 2, 3}, V{1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 2, 3}, V{4, 5}), 0.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 2, 3}, V{2, 3, 4}), 2.0 / 4.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 2}, V{1, 2, 3, 4, 5, 6}), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 3, 5, 7, 9}, V{0, 3, 6, 9}), 2.0 / 7.0);
  EXPECT_DOUBLE_EQ(exact_jaccard(V{0, ~0ull}, V{~0ull}), 0.5);
  // Symmetric.
  EXPECT_DOUBLE_EQ(exact_jaccard(V{1, 3, 5, 7, 9}, V{0, 3, 6, 9}),
                   exact_jaccard(V{0, 3, 6, 9}, V{1, 3, 5, 7, 9}));
}

TEST(Shingle, JaccardOfTexts) {
  // 10 code points, n = 5: 6 shingles each; one changed character at the end kills 1 shingle of 6.
  const auto a = shingle_set(shingle_hashes(U"一二三四五六七八九十"));
  const auto b = shingle_set(shingle_hashes(U"一二三四五六七八九百"));
  EXPECT_DOUBLE_EQ(exact_jaccard(a, b), 5.0 / 7.0);
}

}  // namespace
}  // namespace leitong
