// KNOWN-ANSWER VECTORS: normalization output, shingle hashes, MinHash and SimHash signatures and
// winnowing fingerprints of fixed texts, pinned as literals.
//
// These values are what every archive on disk was built from. A change here means archives built
// by an older leitong would be compared wrongly against new sketches, so they are regenerated ONLY
// ON PURPOSE, together with bumping kNormalizationVersion (normalize.h) for a normalization change,
// or the archive format / schema version (archive.h, docs/format.md) for a shingle, MinHash,
// SimHash or winnowing change.
//
// To regenerate on purpose: run
//   LEITONG_PRINT_VECTORS=1 ./build/tests/leitong_tests --gtest_filter='Vectors.*'
// which prints the current values as C++ literals, paste them below, and bump the version.
//
// The defaults include traditional → simplified and Chinese-numeral masking (normalize.h). They
// were added after format version 1 as recorded switches (an archive without them has them off
// and normalizes as before), so the vectors below changed with them without a version bump; the
// t2s vector also pins OpenCC's data, which a different OpenCC release could change.
#include <gtest/gtest.h>
#include <leitong/core/fingerprint.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <xxhash.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/variants.h"

namespace leitong::testing {
namespace {

bool print_vectors() { return std::getenv("LEITONG_PRINT_VECTORS") != nullptr; }

// `s` with '"' and '\\' escaped, for pasting into a C++ string literal.
std::string c_literal(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void print_hex(const char* name, const std::vector<std::uint64_t>& v) {
  std::printf("%s = {", name);
  for (std::size_t i = 0; i < v.size(); ++i)
    std::printf("%s0x%016llxull", i ? ", " : "", (unsigned long long)v[i]);
  std::printf("};\n");
}

// Report-like inputs: full-width digits and letters, Chinese and ASCII punctuation, ellipses and
// dashes, numbers with separators, enumerations that NFKC expands, CRLF and ideographic spaces.
const char* const kNormalizationInputs[] = {
    "２０２３年，我局坚持“四个意识”……",
    "一、主要工作成效\n（一）全面推进依法行政。全年共办理行政许可事项1,234件，同比增长15.6%。",
    "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定——现将本局２０２２年度报"
    "告公布如下：",
    "Ｗｉ－Ｆｉ覆盖率达到９８．５％，ＧＤＰ增长　５．２％；①加强党建　②优化营商环境",
    "【工作亮点】\r\n  1. 深化“放管服”改革；\r\n  2. 推进‘一网通办’……",
    "㈠ 完成年度目标任务的１２０％；\t﹝注﹞ 数据截至12月31日。",
    // Traditional characters and Chinese numerals (the t2s and numeral steps, on by default).
    "二〇二三年，國務院辦公廳開展檢查十五次、一百二十件，兩個單位；一是統一落實第一議題。",
};

const char* const kExpectedNormalized[] = {
    "#年,我局坚持\"四个意识\".",
    "一,主要工作成效(一)全面推进依法行政.全年共办理行政许可事项#件,同比增长#%.",
    "根据<中华人民共和国政府信息公开条例>(以下简称<条例>)第#条规定-现将本局#年度报告公布如下:",
    "wi-fi覆盖率达到#%,gdp增长#%;#加强党建#优化营商环境",
    "(工作亮点)#.深化\"放管服\"改革;#.推进\"一网通办\".",
    "(一)完成年度目标任务的#%;(注)数据截至#月#日.",
    "#年,国务院办公厅开展检查#次,#件,两个单位;一是统一落实第一议题.",
};

TEST(Vectors, Normalization) {
  ASSERT_EQ(std::size(kNormalizationInputs), std::size(kExpectedNormalized));
  for (std::size_t i = 0; i < std::size(kNormalizationInputs); ++i) {
    const std::string got = utf8(normalize(u32(kNormalizationInputs[i])).chars);
    if (print_vectors()) std::printf("    \"%s\",\n", c_literal(got).c_str());
    EXPECT_EQ(got, kExpectedNormalized[i]) << "input " << i << ": " << kNormalizationInputs[i];
  }
}

const char32_t kShingleText[] = U"深入贯彻落实党的二十大精神";
const std::vector<std::uint64_t> kExpectedShingles = {0x9f23e5742c31e7e4ull, 0xae89384d108f04baull,
                                                      0x9d0461434c09503dull, 0x590265ef333c5c16ull};

TEST(Vectors, ShingleHashes) {
  const std::u32string text = kShingleText;
  const auto hashes = shingle_hashes(text);  // default params: n = 5, seed 0
  ASSERT_GE(hashes.size(), 4u);
  const std::vector<std::uint64_t> first4(hashes.begin(), hashes.begin() + 4);
  if (print_vectors()) print_hex("kExpectedShingles", first4);
  EXPECT_EQ(first4, kExpectedShingles);
  // The spec in shingle.h: XXH3_64bits_withSeed over the n code points as little-endian UTF-32.
  for (std::size_t i = 0; i < 4; ++i) {
    unsigned char bytes[4 * 5];
    for (std::size_t k = 0; k < 5; ++k) {
      const auto c = static_cast<std::uint32_t>(text[i + k]);
      for (std::size_t b = 0; b < 4; ++b)
        bytes[4 * k + b] = static_cast<unsigned char>(c >> (8 * b));
    }
    EXPECT_EQ(XXH3_64bits_withSeed(bytes, sizeof bytes, 0), kExpectedShingles.at(i)) << i;
    EXPECT_EQ(XXH3_64bits_withSeed(bytes, sizeof bytes, 0), hashes[i]) << i;
  }
}

// A paragraph long enough for several winnowing windows.
const char kSignatureText[] =
    "2023年，区民政局在区委区政府的坚强领导下，坚持以习近平新时代中国特色社会主义思想为指导，"
    "全面贯彻党的二十大精神，围绕“民生为本、服务为先”的工作思路，扎实推进社会救助、养老服务、"
    "社区治理等各项工作。全年累计发放低保金3,456.7万元，惠及困难群众12,345人次；新建社区养老服务"
    "中心8个，新增养老床位560张。下一步，我局将继续深化“放管服”改革，不断提升为民服务水平。";

// The direct variant reads bins and values off the shingle hashes: bin 0 holds 0x7101c273, the low
// half of the fingerprint 0x0040ad037101c273 below, whose top 7 bits are 0.
const std::vector<std::uint32_t> kExpectedOnePermutationDirect8 = {0x7101c273u, 0x0a1023f9u, 0x0447a42au,
                                                                   0x6a1baaafu, 0x758d882cu, 0x04c92919u,
                                                                   0x1f81efd5u, 0xe3b0d601u};
const std::vector<std::uint32_t> kExpectedOnePermutation8 = {0x43356865u, 0x5815da46u, 0x0147e5c0u,
                                                             0x05986b8eu, 0xf2f8d811u, 0x8b174a0au,
                                                             0x2398689fu, 0xb8d4cc23u};
const std::vector<std::uint32_t> kExpectedClassic8 = {0x00f776aau, 0x00be15c5u, 0x03f8b2dau,
                                                      0x01268932u, 0x000a4dcfu, 0x00494994u,
                                                      0x00e57008u, 0x00a766a1u};
constexpr std::uint64_t kExpectedSimHash = 0x63cda4526389ed1aull;
const std::vector<Fingerprint> kExpectedFingerprints = {
    {0x09289394758d882cull, 17},  {0x03c75d794911edc8ull, 38},  {0x06cf6c146a1baaafull, 53},
    {0x19a927453c0eb194ull, 56},  {0x2607ef16e21dcf92ull, 80},  {0x1ba5ddd2fb5bf188ull, 92},
    {0x05de151e0447a42aull, 95},  {0x02ef2f190a1023f9ull, 102}, {0x0040ad037101c273ull, 113},
    {0x04f00f223cdeb9c7ull, 134}, {0x088f915882a110c5ull, 147}, {0x02eb0b4e45e2321eull, 159},
};

void print_u32(const char* name, const std::vector<std::uint32_t>& v) {
  std::printf("%s = {", name);
  for (std::size_t i = 0; i < v.size(); ++i) std::printf("%s0x%08xu", i ? ", " : "", v[i]);
  std::printf("};\n");
}

TEST(Vectors, MinHashAndSimHash) {
  const auto shingles = shingle_hashes(normalize(u32(kSignatureText)).chars);
  ASSERT_GT(shingles.size(), 100u);
  MinHashParams direct;  // defaults: k = 128, default seed, one-permutation direct
  MinHashParams oph;
  oph.variant = MinHashVariant::kOnePermutation;
  MinHashParams classic;
  classic.variant = MinHashVariant::kClassic;
  const auto sig_direct = minhash(shingles, direct);
  const auto sig_oph = minhash(shingles, oph), sig_classic = minhash(shingles, classic);
  ASSERT_EQ(sig_direct.size(), 128u);
  const std::vector<std::uint32_t> direct8(sig_direct.begin(), sig_direct.begin() + 8);
  ASSERT_EQ(sig_oph.size(), 128u);
  ASSERT_EQ(sig_classic.size(), 128u);
  const std::vector<std::uint32_t> oph8(sig_oph.begin(), sig_oph.begin() + 8);
  const std::vector<std::uint32_t> classic8(sig_classic.begin(), sig_classic.begin() + 8);
  const std::uint64_t sim = simhash(shingles);
  if (print_vectors()) {
    print_u32("kExpectedOnePermutationDirect8", direct8);
    print_u32("kExpectedOnePermutation8", oph8);
    print_u32("kExpectedClassic8", classic8);
    std::printf("kExpectedSimHash = 0x%016llxull;\n", (unsigned long long)sim);
  }
  EXPECT_EQ(direct8, kExpectedOnePermutationDirect8);
  EXPECT_EQ(oph8, kExpectedOnePermutation8);
  EXPECT_EQ(classic8, kExpectedClassic8);
  EXPECT_EQ(sim, kExpectedSimHash);
  // The sketch computes the same values with default parameters.
  const Sketch sketch = make_sketch(u32(kSignatureText));
  EXPECT_EQ(sketch.shingles, shingles);
  EXPECT_EQ(sketch.minhash, sig_direct);
  EXPECT_EQ(sketch.simhash, sim);
}

TEST(Vectors, WinnowingFingerprints) {
  const auto shingles = shingle_hashes(normalize(u32(kSignatureText)).chars);
  const auto fps = winnow(shingles);  // default window 24
  if (print_vectors()) {
    std::printf("kExpectedFingerprints = {\n");
    for (const auto& f : fps)
      std::printf("    {0x%016llxull, %u},\n", (unsigned long long)f.hash, f.position);
    std::printf("};\n");
  }
  EXPECT_EQ(fps, kExpectedFingerprints);
  EXPECT_EQ(make_sketch(u32(kSignatureText)).fingerprints, fps);
}

}  // namespace
}  // namespace leitong::testing
