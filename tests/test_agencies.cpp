// Agencies by the names people write (analysis/agencies.h), and `check` under a short name.
#include <gtest/gtest.h>
#include <leitong/analysis/agencies.h>

#include <leitong/core/text.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong {
namespace {

using How = AgencyResolution::How;

const std::vector<std::string> kKnown = {"深圳市罗湖区民政局", "深圳市福田区民政局", "重庆市沙坪坝区民政局",
                                         "重庆市渝中区司法局", "北京市东城区司法局", "广州市东城区司法局",
                                         "国务院"};

TEST(ResolveAgency, ExactNamesAndTheirWidthAndSpacingVariants) {
  EXPECT_EQ(resolve_agency("深圳市罗湖区民政局", kKnown).how, How::kExact);
  const AgencyResolution spaced = resolve_agency(" 深圳市罗湖区民政局 ", kKnown);
  EXPECT_EQ(spaced.how, How::kExact);
  EXPECT_EQ(spaced.name, "深圳市罗湖区民政局");
}

TEST(ResolveAgency, ShortAndLongFormsOfOneArchiveName) {
  const AgencyResolution short_form = resolve_agency("罗湖区民政局", kKnown);
  EXPECT_EQ(short_form.how, How::kShortName);
  EXPECT_EQ(short_form.name, "深圳市罗湖区民政局");
  const AgencyResolution long_form = resolve_agency("广东省深圳市罗湖区民政局", kKnown);
  EXPECT_EQ(long_form.how, How::kLongName);
  EXPECT_EQ(long_form.name, "深圳市罗湖区民政局");
  EXPECT_EQ(resolve_agency("沙坪坝区民政局", kKnown).name, "重庆市沙坪坝区民政局");
}

TEST(ResolveAgency, NeverCutsInsideARegionOrTakesANameWithoutOne) {
  // 湖区民政局 is a tail of 深圳市罗湖区民政局, but the cut would fall inside 罗湖区.
  EXPECT_EQ(resolve_agency("湖区民政局", kKnown).how, How::kUnknown);
  // 民政局 names no place: it is not any one 民政局.
  EXPECT_EQ(resolve_agency("民政局", kKnown).how, How::kUnknown);
  // 国务院 is not a longer form of anything, nor is anything a short form of it.
  EXPECT_EQ(resolve_agency("国务院", kKnown).how, How::kExact);
}

TEST(ResolveAgency, SeveralFitsAreNotChosenBetween) {
  const AgencyResolution r = resolve_agency("东城区司法局", kKnown);
  EXPECT_EQ(r.how, How::kAmbiguous);
  EXPECT_EQ(r.candidates, (std::vector<std::string>{"北京市东城区司法局", "广州市东城区司法局"}));
  EXPECT_EQ(r.name, "东城区司法局");
}

TEST(ResolveAgency, UnknownNamesListTheirLookalikes) {
  const AgencyResolution typo = resolve_agency("深圳市萝湖区民政局", kKnown);
  EXPECT_EQ(typo.how, How::kUnknown);
  EXPECT_EQ(typo.name, "深圳市萝湖区民政局");
  // One character off in the place's name: most often another place (渝中区, 渝北区), listed apart.
  EXPECT_TRUE(typo.candidates.empty());
  EXPECT_EQ(typo.other_places, (std::vector<std::string>{"深圳市罗湖区民政局"}));
  // One character off in the rest of the name: a likely typo.
  const AgencyResolution office = resolve_agency("深圳市罗湖区民政居", kKnown);
  EXPECT_EQ(office.how, How::kUnknown);
  EXPECT_EQ(office.candidates, (std::vector<std::string>{"深圳市罗湖区民政局"}));
  EXPECT_TRUE(office.other_places.empty());
  EXPECT_TRUE(resolve_agency("某县教育局", kKnown).candidates.empty());
  // Another department of the same place one character off (财政局 beside 民政局) is another
  // agency; a department name that is no department's (民证局) is still a likely typo.
  const AgencyResolution finance = resolve_agency("深圳市罗湖区财政局", kKnown);
  EXPECT_EQ(finance.how, How::kUnknown);
  EXPECT_TRUE(finance.candidates.empty());
  EXPECT_TRUE(finance.other_places.empty());
  EXPECT_EQ(resolve_agency("深圳市罗湖区民证局", kKnown).candidates, (std::vector<std::string>{"深圳市罗湖区民政局"}));
  const std::vector<std::string> market = {"南宁市平州区市场监督管理局"};
  EXPECT_EQ(resolve_agency("南宁市平州区市场监督管理居", market).candidates, market);
  EXPECT_TRUE(resolve_agency("某县教育局", {}).candidates.empty());
}

// Every name one character off, wherever the character is, and only those: the index against a
// pass over every known name. Names of a small alphabet with no region or department in them (so
// every lookalike is a candidate) share long runs, as agencies' names do.
TEST(ResolveAgency, LookalikesAreEveryNameOneCharacterOffAtAnyPosition) {
  const std::u32string alphabet = U"甲乙丙丁戊己";
  std::mt19937 random(7);
  std::vector<std::string> known;
  std::set<std::string> seen;
  while (known.size() < 400) {
    std::u32string name(4 + random() % 9, U' ');
    for (char32_t& c : name) c = alphabet[random() % alphabet.size()];
    if (seen.insert(encode_utf8(name)).second) known.push_back(encode_utf8(name));
  }
  const AgencyIndex index(known);
  const AgencyIndex scanned(known, {}, AgencyIndex::Lookalikes::kScanned);  // one resolution's way
  std::size_t compared = 0, with_lookalikes = 0;
  for (const std::string& name : known) {
    const std::u32string original = decode_utf8(name, "test");
    for (std::size_t at = 0; at < original.size(); ++at) {
      std::u32string given = original;
      given[at] = alphabet[(alphabet.find(given[at]) + 1 + random() % (alphabet.size() - 1)) % alphabet.size()];
      if (seen.count(encode_utf8(given))) continue;  // another known name: resolved exactly
      std::vector<std::string> expected;
      for (const std::string& other : known) {
        const std::u32string k = decode_utf8(other, "test");
        if (k.size() != given.size()) continue;
        std::size_t differing = 0;
        for (std::size_t i = 0; i < k.size(); ++i) differing += k[i] != given[i];
        if (differing == 1) expected.push_back(other);
      }
      std::sort(expected.begin(), expected.end());
      if (expected.size() > 5) expected.resize(5);
      const AgencyResolution r = index.resolve(encode_utf8(given));
      EXPECT_EQ(r.how, How::kUnknown);
      EXPECT_EQ(r.candidates, expected) << encode_utf8(given);
      EXPECT_TRUE(r.other_places.empty());
      EXPECT_EQ(scanned.resolve(encode_utf8(given)).candidates, expected) << encode_utf8(given);
      ++compared;
      with_lookalikes += expected.size() > 1;
    }
  }
  EXPECT_GT(compared, 2000u);
  EXPECT_GT(with_lookalikes, 50u);  // names with several lookalikes were among them

  // More than five lookalikes: the first five by name. An alias is found as its entry, and a name
  // inserted later is found too.
  std::vector<std::string> many;
  for (const char32_t c : std::u32string(U"甲乙丙丁戊己庚")) many.push_back(encode_utf8(U"子丑寅卯" + std::u32string(1, c)));
  for (const auto how : {AgencyIndex::Lookalikes::kIndexed, AgencyIndex::Lookalikes::kScanned}) {
    AgencyIndex with_many(many, {{"子丑寅卯辰", "子丑寅卯甲"}}, how);
    EXPECT_EQ(with_many.resolve("子丑寅卯巳").candidates,
              (std::vector<std::string>{"子丑寅卯丁", "子丑寅卯丙", "子丑寅卯乙", "子丑寅卯己", "子丑寅卯庚"}));
    EXPECT_EQ(with_many.resolve("子丑寅午辰").candidates, std::vector<std::string>{"子丑寅卯甲"});
    EXPECT_TRUE(with_many.resolve("午未申酉").candidates.empty());
    with_many.insert("午未申戌");
    EXPECT_EQ(with_many.resolve("午未申酉").candidates, std::vector<std::string>{"午未申戌"});

    // Names too long to be filed under keys (any a manifest gives) are found all the same.
    const std::u32string long_name(70, U'甲');
    std::u32string long_other = long_name;
    long_other[40] = U'乙';
    AgencyIndex with_long({encode_utf8(long_name), encode_utf8(long_name + U"丙"), "子丑寅卯"}, {}, how);
    std::u32string given = long_name;
    given[3] = U'丁';
    EXPECT_EQ(with_long.resolve(encode_utf8(given)).candidates, std::vector<std::string>{encode_utf8(long_name)});
    with_long.insert(encode_utf8(long_other));
    given = long_other;
    given[69] = U'戊';  // one character off the name inserted, two off the first
    EXPECT_EQ(with_long.resolve(encode_utf8(given)).candidates, std::vector<std::string>{encode_utf8(long_other)});
    EXPECT_EQ(with_long.resolve("子丑寅辰").candidates, std::vector<std::string>{"子丑寅卯"});
    // At the boundary: 64 characters are filed under keys, 65 are not; each is found by its own kind.
    for (const std::size_t chars : {63, 64, 65, 66}) {
      const std::u32string filed(chars, U'乙');
      AgencyIndex boundary({encode_utf8(filed)}, {}, how);
      std::u32string near = filed;
      near[chars - 1] = U'丙';
      EXPECT_EQ(boundary.resolve(encode_utf8(near)).candidates, std::vector<std::string>{encode_utf8(filed)}) << chars;
    }
  }
}

// The recycled 罗湖 report checked as 罗湖区民政局 (the short form everyone writes) is compared
// with its own 2024 report as the same agency's, not as a peer's.
TEST(ResolveAgency, CheckUnderTheShortNameFindsTheAgencysOwnEarlierYear) {
  testing::TempDir dir;
  const std::vector<std::string> add = {"add", "-q", "--archive", "a.db", "--manifest",
                                        (testing::corpora_dir() / "manifest.csv").string()};
  const testing::CliResult added = testing::run_cli(add, dir.path());
  ASSERT_EQ(added.status, 0) << testing::describe(add, added);
  const std::vector<std::string> check = {"check", "--archive", "a.db", "--agency", "罗湖区民政局", "--year", "2025",
                                          "--format", "json",
                                          (testing::corpora_dir() / "cases/luohu-minzheng-2025.txt").string()};
  const testing::CliResult r = testing::run_cli(check, dir.path());
  ASSERT_EQ(r.status, 0) << testing::describe(check, r);
  EXPECT_NE(r.err.find("note: agency 罗湖区民政局 is 深圳市罗湖区民政局 in the archive"), std::string::npos) << r.err;
  const nlohmann::json findings = nlohmann::json::parse(r.out);
  EXPECT_EQ(findings["document"]["agency"], "深圳市罗湖区民政局");
  ASSERT_FALSE(findings["sources"].empty());
  EXPECT_EQ(findings["sources"][0]["relation"], "same_agency");
  EXPECT_EQ(findings["sources"][0]["year"], 2024);
}

}  // namespace
}  // namespace leitong
