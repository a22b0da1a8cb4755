// The agency register: aliases, renames and merges that keep every document and index entry on
// its entry (verify finds nothing amiss), names resolved through aliases, and `add` filing a short
// name under its entry while refusing a likely typo unless told the agency is new.
#include "support/cli.h"
#include "support/corpus.h"

#include <leitong/analysis/agencies.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

class Register : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<Archive>(Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite));
    add_seeds(*archive_, seeds());
  }
  std::int64_t documents_of(const std::string& agency) { return std::int64_t(archive_->ids_of_agency(agency).size()); }
  TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(Register, AnAliasFindsItsAgency) {
  archive_->add_agency_alias("深圳市罗湖区民政局", "罗湖民政");
  const AgencyResolution r = resolve_agency("罗湖民政", *archive_);
  EXPECT_EQ(r.how, AgencyResolution::How::kAlias);
  EXPECT_EQ(r.name, "深圳市罗湖区民政局");
  EXPECT_EQ(archive_->agency_aliases(),
            (std::vector<std::pair<std::string, std::string>>{{"罗湖民政", "深圳市罗湖区民政局"}}));
  // An alias may not be another agency's name, nor name two agencies.
  EXPECT_THROW(archive_->add_agency_alias("深圳市罗湖区民政局", "重庆市合川区司法局"), Error);
  EXPECT_THROW(archive_->add_agency_alias("重庆市合川区司法局", "罗湖民政"), Error);
  EXPECT_THROW(archive_->add_agency_alias("没有这个单位", "别名"), Error);
  EXPECT_TRUE(archive_->verify().ok());
}

// resolve_agency(archive) looks a filed name or an alias up directly and reads the whole register
// only for other names: every kind of name resolves as the whole register resolves it.
TEST_F(Register, TheArchivesResolutionIsTheWholeRegisters) {
  archive_->add_agency_alias("深圳市罗湖区民政局", "罗湖民政");
  archive_->rename_agency("重庆市合川区司法局", "重庆市合川区司法行政局");  // the old name an alias
  const AgencyIndex whole(*archive_);
  for (const std::string given : {"深圳市罗湖区民政局", " 深圳市罗湖区民政局 ", "罗湖民政", "罗湖区民政局",
                                  "广东省深圳市罗湖区民政局", "深圳市罗湖区民政居", "深圳市罗湖区财政局",
                                  "重庆市合川区司法局", "重庆市合川区司法行政局", "合川区司法行政局",
                                  "没有这个单位", ""}) {
    const AgencyResolution direct = resolve_agency(given, *archive_), indexed = whole.resolve(given);
    EXPECT_EQ(direct.how, indexed.how) << given;
    EXPECT_EQ(direct.name, indexed.name) << given;
    EXPECT_EQ(direct.candidates, indexed.candidates) << given;
    EXPECT_EQ(direct.other_places, indexed.other_places) << given;
  }
  EXPECT_EQ(archive_->agency_entry("罗湖民政"), "深圳市罗湖区民政局");
  EXPECT_EQ(archive_->agency_entry(" 罗湖民政 "), "深圳市罗湖区民政局");  // canonicalized first
  EXPECT_EQ(archive_->agency_entry("重庆市合川区司法局"), "重庆市合川区司法行政局");
  EXPECT_EQ(archive_->agency_entry("深圳市罗湖区民政局"), "深圳市罗湖区民政局");
  EXPECT_EQ(archive_->agency_entry("罗湖区民政局"), std::nullopt);  // a short form: the register decides
}

// A resolver kept between calls (the web service's, a Python session's) answers as resolve_agency
// does on the register as it is now: after an agency is added (inserted into its index), after a
// rename, a merge and an alias (indexed again), each made through another connection.
TEST_F(Register, AResolverKeptBetweenCallsFollowsTheRegister) {
  const Archive reader = Archive::open(dir_ / "a.db", Archive::Mode::kReadOnly);
  AgencyResolver resolver;
  const std::vector<std::string> names = {
      "罗湖区民政局",   "广东省深圳市罗湖区民政局", "深圳市罗湖区民政居", "南山区民政局",     "深圳市南山区民政居",
      "合川区司法局",   "合川区司法行政局",         "沙坪坝区民政局",     "罗湖区民政事务局", "没有这个单位"};
  const auto expect_current = [&](const char* after) {
    for (const std::string& given : names) {
      const AgencyResolution kept = resolver.resolve(given, reader), fresh = resolve_agency(given, reader);
      EXPECT_EQ(kept.how, fresh.how) << given << " after " << after;
      EXPECT_EQ(kept.name, fresh.name) << given << " after " << after;
      EXPECT_EQ(kept.candidates, fresh.candidates) << given << " after " << after;
      EXPECT_EQ(kept.other_places, fresh.other_places) << given << " after " << after;
    }
  };
  expect_current("nothing");
  Document nanshan = seed_document(seed("luohu-minzheng-2024"));
  nanshan.info.agency = "深圳市南山区民政局";
  archive_->add(nanshan);
  expect_current("an agency added");
  EXPECT_EQ(resolver.resolve("南山区民政局", reader).name, "深圳市南山区民政局");
  archive_->rename_agency("重庆市合川区司法局", "重庆市合川区司法行政局");
  expect_current("a rename");
  EXPECT_EQ(resolver.resolve("合川区司法行政局", reader).how, AgencyResolution::How::kShortName);
  // Renamed back: the same number of entries and aliases, the same largest alias row.
  archive_->rename_agency("重庆市合川区司法行政局", "重庆市合川区司法局");
  expect_current("a rename back");
  EXPECT_EQ(resolver.resolve("合川区司法行政局", reader).name, "重庆市合川区司法局");
  archive_->merge_agencies("重庆市沙坪坝区民政局", "重庆市合川区司法局");
  expect_current("a merge");
  EXPECT_EQ(resolver.resolve("沙坪坝区民政局", reader).name, "重庆市合川区司法局");
  archive_->add_agency_alias("深圳市罗湖区民政局", "深圳市罗湖区民政事务局");
  expect_current("an alias");
  EXPECT_EQ(resolver.resolve("罗湖区民政事务局", reader).name, "深圳市罗湖区民政局");
  // A document added under the alias itself (Archive::add files under the name as given) makes an
  // entry of it: a new agency, no edit counted, and the short form now fits both.
  Document under_alias = seed_document(seed("hechuan-sifa-2024"));
  under_alias.info.agency = "深圳市罗湖区民政事务局";
  archive_->add(under_alias);
  expect_current("an agency named as an alias");
  EXPECT_EQ(resolver.resolve("罗湖区民政事务局", reader).how, AgencyResolution::How::kAmbiguous);
  EXPECT_EQ(reader.register_state().edits, 4);
}

TEST_F(Register, RenameKeepsTheOldNameAsAnAlias) {
  const std::int64_t before = documents_of("重庆市合川区司法局");
  ASSERT_GT(before, 0);
  archive_->rename_agency("重庆市合川区司法局", "重庆市合川区司法行政局");
  EXPECT_EQ(documents_of("重庆市合川区司法行政局"), before);
  EXPECT_EQ(resolve_agency("重庆市合川区司法局", *archive_).name, "重庆市合川区司法行政局");
  EXPECT_THROW(archive_->rename_agency("重庆市合川区司法行政局", "深圳市罗湖区民政局"), Error) << "that is a merge";
  EXPECT_TRUE(archive_->verify().ok());
}

TEST_F(Register, MergeMovesDocumentsAndIndexAndTheChecksFollow) {
  const std::int64_t from = documents_of("重庆市沙坪坝区民政局"), into = documents_of("重庆市合川区司法局");
  const std::int64_t agencies = archive_->stats().agencies;
  EXPECT_EQ(archive_->merge_agencies("重庆市沙坪坝区民政局", "重庆市合川区司法局"), from);
  EXPECT_EQ(documents_of("重庆市合川区司法局"), from + into);
  EXPECT_EQ(documents_of("重庆市沙坪坝区民政局"), 0);
  EXPECT_EQ(archive_->stats().agencies, agencies - 1);
  EXPECT_EQ(resolve_agency("重庆市沙坪坝区民政局", *archive_).name, "重庆市合川区司法局");
  // Every posting carries the new agency: verify rebuilds the expected index from the documents.
  const ArchiveCheck check = archive_->verify();
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  // The merged agency's report is now the same agency's to a check of that entry.
  const Seed& s = seed("shapingba-minzheng-2024");
  Document report = seed_document(s);
  report.info.agency = "重庆市合川区司法局";
  report.info.year = 2025;
  report.text += U"\n新的一年，继续推进法治政府建设。";
  const Findings f = check_against_archive(*archive_, report);
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources.front().relation, Relation::kSameAgency);
}

TEST_F(Register, MergeIsRefusedWhenBothHoldTheSameTextForTheSameYear) {
  Document copy = seed_document(seed("shapingba-minzheng-2024"));
  copy.info.agency = "重庆市合川区司法局";
  archive_->add(copy);
  const std::int64_t count = archive_->document_count();
  try {
    archive_->merge_agencies("重庆市沙坪坝区民政局", "重庆市合川区司法局");
    ADD_FAILURE() << "merged";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("same text for the same year"), std::string::npos) << e.what();
  }
  EXPECT_EQ(archive_->document_count(), count);
  EXPECT_GT(documents_of("重庆市沙坪坝区民政局"), 0) << "nothing moved";
  EXPECT_TRUE(archive_->verify().ok());
}

TEST(RegisterCompat, OlderArchivesHaveNoAliasesUntilTheFirst) {
  for (const char* name : {"archive-v1.db", "archive-v2.db", "archive-v3.db"}) {
    TempDir dir;
    std::filesystem::copy_file(source_dir() / "tests/data" / name, dir / "a.db");
    Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    EXPECT_TRUE(a.agency_aliases().empty()) << name;
    const std::vector<std::string> names = a.agency_names();
    ASSERT_FALSE(names.empty());
    a.add_agency_alias(names.front(), "某个简称");
    EXPECT_EQ(a.agency_aliases().size(), 1u) << name;
    EXPECT_TRUE(a.verify().ok()) << name;
  }
}

TEST(RegisterCli, AddFilesShortNamesUnderTheirEntryAndRefusesLikelyTypos) {
  TempDir dir;
  const std::string db = "a.db";
  const std::string report = (corpora_dir() / "reports/luohu-minzheng-2024.txt").string();
  const std::string other = (corpora_dir() / "reports/shapingba-minzheng-2024.txt").string();
  auto add = [&](std::vector<std::string> extra, const std::string& file, const std::string& year = "2024") {
    std::vector<std::string> args = {"add", "--archive", db, "--year", year};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    return run_cli(args, dir.path());
  };
  ASSERT_EQ(add({"--agency", "深圳市罗湖区民政局"}, report).status, 0);
  // The short form everyone writes: the same entry.
  CliResult r = add({"--agency", "罗湖区民政局"}, other, "2025");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("agency 罗湖区民政局 is 深圳市罗湖区民政局 in the archive"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("(深圳市罗湖区民政局, 2025, report)"), std::string::npos) << r.out;
  // One character off outside the place's name: refused with the near name, unless insisted.
  r = add({"--agency", "深圳市罗湖区民政居"}, other);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("resembles 深圳市罗湖区民政局 (a typo?); --new-agency"), std::string::npos) << r.err;
  r = add({"--agency", "深圳市罗湖区民政居", "--new-agency"}, other);
  EXPECT_EQ(r.status, 0) << r.err;
  // One character off in the place's name is most often another place: added, with a note.
  r = add({"--agency", "深圳市福湖区民政局"}, other);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("1 new agency is one character from a known one in the place's name"), std::string::npos)
      << r.out;
  // check: a likely typo is refused with the suggestion.
  r = run_cli({"check", "--archive", db, "--agency", "深圳市罗湖区民致局", "--year", "2025", report}, dir.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("resembles"), std::string::npos) << r.err;
  // The register command lists the entries, with aliases after a rename.
  ASSERT_EQ(run_cli({"agencies", "rename", "--archive", db, "深圳市罗湖区民政局", "深圳市罗湖区民政事务局"}, dir.path()).status, 0);
  r = run_cli({"agencies", "list", "--archive", db, "--format", "json"}, dir.path());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"name\": \"深圳市罗湖区民政事务局\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"深圳市罗湖区民政局\""), std::string::npos) << "the old name as an alias";
  EXPECT_EQ(run_cli({"verify", "--archive", db}, dir.path()).status, 0);
}

}  // namespace
}  // namespace leitong::testing
