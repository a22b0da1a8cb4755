// The service layer apart from HTTP: accounts and sessions (store.h), uploads (upload.h) and who
// may see what (service.h). The HTTP front end is tested over 127.0.0.1 in tests/service/.
#include <gtest/gtest.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>
#include <leitong/service/pages.h>
#include <leitong/service/service.h>
#include <leitong/service/store.h>
#include <leitong/service/upload.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/corpus.h"
#include "support/formats.h"

namespace leitong {
namespace {

using testing::TempDir;

// Cheap hashing for tests (the service uses 64 MiB per hash); the format is the same.
StoreParams quick_store() {
  StoreParams p;
  p.pwhash_memory = std::size_t(8) << 20;
  p.pwhash_ops = 1;
  return p;
}

TEST(ServiceStore, UsersAreValidatedAndPasswordsStoredOnlyAsArgon2idHashes) {
  TempDir dir;
  ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
  store.add_user("luohu", Role::kAgency, " 深圳市罗湖区民政局 ", "correct horse battery");
  store.add_user("inspector", Role::kInspector, "", "another long password");
  EXPECT_THROW(store.add_user("luohu", Role::kAgency, "x", "0123456789"), Error);      // exists
  EXPECT_THROW(store.add_user("short", Role::kAgency, "x", "123456789"), Error);       // 9 characters
  EXPECT_THROW(store.add_user("noagency", Role::kAgency, " ", "0123456789"), Error);   // no agency
  EXPECT_THROW(store.add_user("insp2", Role::kInspector, "x", "0123456789"), Error);   // inspector with agency
  EXPECT_THROW(store.add_user(" padded", Role::kAgency, "x", "0123456789"), Error);    // space at an end
  EXPECT_THROW(store.add_user("a\x1b[31m", Role::kAgency, "x", "0123456789"), Error);  // control characters
  EXPECT_THROW(store.add_user("", Role::kAgency, "x", "0123456789"), Error);

  const std::vector<User> users = store.users();
  ASSERT_EQ(users.size(), 2u);
  const std::optional<User> luohu = store.find_user("luohu");
  ASSERT_TRUE(luohu);
  EXPECT_EQ(luohu->agency, "深圳市罗湖区民政局");  // canonical: trimmed
  EXPECT_EQ(luohu->role, Role::kAgency);

  const auto hashes = testing::sqlite_rows(dir / "a.service", "SELECT password_hash FROM users ORDER BY name");
  ASSERT_EQ(hashes.size(), 2u);
  for (const std::string& h : hashes) EXPECT_TRUE(h.starts_with("$argon2id$")) << h;
  EXPECT_EQ(testing::read_bytes(dir / "a.service").find("correct horse battery"), std::string::npos);
}

TEST(ServiceStore, AuthenticatesOnlyTheRightPassword) {
  TempDir dir;
  ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
  store.add_user("luohu", Role::kAgency, "深圳市罗湖区民政局", "correct horse battery");
  EXPECT_TRUE(store.authenticate("luohu", "correct horse battery"));
  EXPECT_FALSE(store.authenticate("luohu", "correct horse batter"));
  EXPECT_FALSE(store.authenticate("luohu", ""));
  EXPECT_FALSE(store.authenticate("nobody", "correct horse battery"));
  store.set_password("luohu", "a new long password");
  EXPECT_FALSE(store.authenticate("luohu", "correct horse battery"));
  EXPECT_TRUE(store.authenticate("luohu", "a new long password"));
}

TEST(ServiceStore, SessionsAreFoundByTokenAndEndWithLogoutPasswordChangeAndRemoval) {
  TempDir dir;
  ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
  store.add_user("luohu", Role::kAgency, "深圳市罗湖区民政局", "correct horse battery");
  const User user = *store.find_user("luohu");

  const NewSession a = store.start_session(user);
  EXPECT_EQ(a.token.size(), 64u);
  EXPECT_EQ(a.session.csrf_token.size(), 64u);
  EXPECT_NE(a.token, a.session.csrf_token);
  const std::optional<Session> found = store.find_session(a.token);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user.name, "luohu");
  EXPECT_EQ(found->csrf_token, a.session.csrf_token);
  // Only a hash of the token is stored: the file does not hand out sessions.
  EXPECT_EQ(testing::sqlite_scalar(dir / "a.service",
                                   "SELECT count(*) FROM sessions WHERE token_hash = '" + a.token + "'"),
            0);
  EXPECT_FALSE(store.find_session(a.token.substr(0, 63) + (a.token[63] == '0' ? "1" : "0")));
  EXPECT_FALSE(store.find_session(""));
  EXPECT_FALSE(store.find_session(a.token + "00"));

  store.end_session(a.token);
  EXPECT_FALSE(store.find_session(a.token));

  const NewSession b = store.start_session(user);
  store.set_password("luohu", "a new long password");
  EXPECT_FALSE(store.find_session(b.token));

  const NewSession c = store.start_session(user);
  store.remove_user("luohu");
  EXPECT_FALSE(store.find_session(c.token));
}

TEST(ServiceStore, SessionsExpire) {
  TempDir dir;
  StoreParams params = quick_store();
  params.session_idle = std::chrono::seconds(-1);  // every session is past its idle time at once
  ServiceStore store = ServiceStore::open(dir / "a.service", params);
  store.add_user("luohu", Role::kAgency, "深圳市罗湖区民政局", "correct horse battery");
  const NewSession s = store.start_session(*store.find_user("luohu"));
  EXPECT_FALSE(store.find_session(s.token));
}

TEST(ServiceStore, ChecksAreKeptPerAgencyUnderUnguessableIds) {
  TempDir dir;
  ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
  CheckRecord r;
  r.agency = "深圳市罗湖区民政局";
  r.user = "luohu";
  r.file = "draft.docx";
  r.year = 2025;
  r.copy_ratio = 0.79;
  r.json = "{}";
  r.evidence_html = "<p>evidence</p>";
  const std::string a = store.save_check(r);
  r.agency = "重庆市沙坪坝区民政局";
  const std::string b = store.save_check(r);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  const std::optional<CheckRecord> found = store.find_check(a);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->agency, "深圳市罗湖区民政局");
  EXPECT_EQ(found->evidence_html, "<p>evidence</p>");
  EXPECT_FALSE(store.find_check(a.substr(0, 31)));
  EXPECT_FALSE(store.find_check("../" + a.substr(3)));
  EXPECT_FALSE(store.find_check(std::string(32, 'g')));
  EXPECT_EQ(store.list_checks("深圳市罗湖区民政局").size(), 1u);
  EXPECT_EQ(store.list_checks("").size(), 2u);
  EXPECT_TRUE(store.list_checks("no such agency").empty());
}

// Runs `sql` on the service file and returns the first column of its first row as an integer.
std::int64_t query_int(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open(file.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
      value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return value;
}

// Evidence pages repeat their markup: kept compressed, they take a fraction of their size, and
// are read back byte for byte; a row written as text (before checks were compressed) still reads.
TEST(ServiceStore, ChecksAreKeptCompressedAndOldTextRowsStillRead) {
  TempDir dir;
  const auto file = dir / "a.service";
  ServiceStore store = ServiceStore::open(file, quick_store());
  CheckRecord r;
  r.agency = "深圳市罗湖区民政局";
  r.user = "luohu";
  r.file = "draft.docx";
  r.year = 2025;
  for (int i = 0; i < 2000; ++i)
    r.evidence_html += "<tr><td class=\"passage\">第" + std::to_string(i) + "段：依法行政，建设法治政府。</td></tr>\n";
  r.json = "{\"format\":\"leitong.check/1\"}";
  const std::string id = store.save_check(r);
  const std::int64_t stored = query_int(file, "SELECT length(evidence_html) FROM checks WHERE id = '" + id + "'");
  EXPECT_GT(stored, 0);
  EXPECT_LT(stored * 5, static_cast<std::int64_t>(r.evidence_html.size()));
  const std::optional<CheckRecord> found = store.find_check(id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->evidence_html, r.evidence_html);
  EXPECT_EQ(found->json, r.json);

  const std::string old_id(32, 'a');
  ASSERT_EQ(query_int(file, "INSERT INTO checks (id, agency, user, file, year, created, copy_ratio, "
                                "copy_ratio_excluding_boilerplate, json, evidence_html) VALUES ('" + old_id +
                                "', '某局', 'u', 'f.txt', 2024, 1, 0.5, 0.4, '{}', '<p>旧的</p>') RETURNING 1"),
            1);
  const std::optional<CheckRecord> old = store.find_check(old_id);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->evidence_html, "<p>旧的</p>");
  EXPECT_EQ(old->json, "{}");
}

// A service file from before checks kept their text gains the columns; its old checks read with
// no text (the service then answers 410 for their PDF report), new ones keep theirs.
TEST(ServiceStore, OlderServiceFilesGainTheTextOfChecks) {
  TempDir dir;
  const auto file = dir / "a.service";
  ASSERT_EQ(query_int(file,
                      "CREATE TABLE checks (id TEXT PRIMARY KEY, agency TEXT NOT NULL, user TEXT NOT NULL, "
                      "file TEXT NOT NULL, year INTEGER NOT NULL, created INTEGER NOT NULL, copy_ratio REAL NOT NULL, "
                      "copy_ratio_excluding_boilerplate REAL NOT NULL, json TEXT NOT NULL, evidence_html TEXT NOT NULL)"),
            -1);  // no row: -1 (the statement ran)
  ASSERT_EQ(query_int(file, "INSERT INTO checks VALUES ('" + std::string(32, 'b') +
                                "', '某局', 'u', 'f.txt', 2024, 1, 0.5, 0.4, '{}', '<p>旧</p>') RETURNING 1"),
            1);
  ServiceStore store = ServiceStore::open(file, quick_store());
  const std::optional<CheckRecord> old = store.find_check(std::string(32, 'b'));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->evidence_html, "<p>旧</p>");
  EXPECT_TRUE(old->text.empty());
  CheckRecord r;
  r.agency = "某局";
  r.json = "{}";
  r.text = "二〇二五年报告正文。";
  r.scope = "3 篇（1 个单位，2024 年）";
  const std::optional<CheckRecord> found = store.find_check(store.save_check(r));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->text, r.text);
  EXPECT_EQ(found->scope, r.scope);
}

TEST(ServiceStore, ChecksBeforeADateAreForgotten) {
  TempDir dir;
  ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
  CheckRecord r;
  r.agency = "深圳市罗湖区民政局";
  r.json = "{}";
  r.created = 1000;
  const std::string old = store.save_check(r);
  r.created = 5000;
  const std::string recent = store.save_check(r);
  EXPECT_EQ(store.remove_checks_before(2000), 1u);
  EXPECT_FALSE(store.find_check(old));
  EXPECT_TRUE(store.find_check(recent));
  EXPECT_EQ(store.remove_checks_before(2000), 0u);
}

TEST(ServiceStore, ReopensWhatItWrote) {
  TempDir dir;
  {
    ServiceStore store = ServiceStore::open(dir / "a.service", quick_store());
    store.add_user("luohu", Role::kAgency, "深圳市罗湖区民政局", "correct horse battery");
  }
  ServiceStore again = ServiceStore::open(dir / "a.service", quick_store());
  EXPECT_TRUE(again.authenticate("luohu", "correct horse battery"));
  testing::write_file(dir / "other.sqlite", "SQLite format 3");
  EXPECT_THROW(ServiceStore::open(dir / "other.sqlite", quick_store()), Error);
}

TEST(TokensEqual, ComparesWholeTokens) {
  const std::string t = random_hex(32);
  EXPECT_TRUE(tokens_equal(t, t));
  EXPECT_FALSE(tokens_equal(t.substr(0, 63), t));
  EXPECT_FALSE(tokens_equal("", ""));
  EXPECT_FALSE(tokens_equal(std::string(64, '0'), t));
  EXPECT_NE(random_hex(32), random_hex(32));
}

TEST(Multipart, ReadsFieldsAndFilesAsBrowsersSendThem) {
  const std::string body =
      "preamble to ignore\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"year\"\r\n\r\n2025\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"报告 \\\"终稿\\\".docx\"\r\n"
      "Content-Type: application/vnd.openxmlformats\r\n\r\nPK\x03\x04\r\n--not the boundary\r\n"
      "--XyZ--\r\nepilogue";
  const std::vector<FormPart> parts = parse_multipart(body, multipart_boundary("multipart/form-data; boundary=XyZ"));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].name, "year");
  EXPECT_FALSE(parts[0].file_name);
  EXPECT_EQ(parts[0].data, "2025");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].file_name.value_or(""), "报告 \"终稿\".docx");
  EXPECT_EQ(parts[1].data, "PK\x03\x04\r\n--not the boundary");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; boundary=\"a b\""), "a b");
}

TEST(Multipart, RefusesWhatDoesNotFollowTheFormat) {
  auto parse = [](const std::string& body) { return parse_multipart(body, "B"); };
  EXPECT_THROW(parse(""), Error);
  EXPECT_THROW(parse("no boundary at all"), Error);
  EXPECT_THROW(parse("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"), Error);
  EXPECT_THROW(parse("--B\r\nX-No-Disposition: 1\r\n\r\nx\r\n--B--"), Error);
  EXPECT_THROW(parse("--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--"), Error);  // no name
  EXPECT_THROW(parse("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--"), Error);
  EXPECT_THROW(parse("--B\r\nno colon\r\n\r\nx\r\n--B--"), Error);
  EXPECT_THROW(parse("--Bgarbage"), Error);
  EXPECT_THROW(multipart_boundary("application/json"), Error);
  EXPECT_THROW(multipart_boundary("multipart/form-data"), Error);
  EXPECT_THROW(multipart_boundary("multipart/form-data; boundary="), Error);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
  EXPECT_THROW(parse_multipart(many + "--B--", "B", 10), Error);
  EXPECT_EQ(parse_multipart(many + "--B--", "B", 20).size(), 20u);
}

TEST(ClientFileName, KeepsOnlyASafeLastComponent) {
  EXPECT_EQ(client_file_name("C:\\Users\\王\\报告.docx"), "报告.docx");
  EXPECT_EQ(client_file_name("../../etc/passwd"), "passwd");
  EXPECT_EQ(client_file_name("a\x1b[31mb\n.txt"), "a[31mb.txt");
  EXPECT_EQ(client_file_name("evil\u202etxt.exe"), "eviltxt.exe");  // no right-to-left override
  EXPECT_EQ(client_file_name(".."), "");
  EXPECT_EQ(client_file_name("dir/"), "");
  EXPECT_EQ(client_file_name(testing::to_gb18030("报告.txt")), "报告.txt");  // GBK names from old browsers
}

TEST(UnpackZip, UnpacksDocumentsAndListsEveryEntryLeftOut) {
  const std::string zip = testing::make_zip({
      {"2024/luohu.txt", "text one"},
      {testing::to_gb18030("2024/沙坪坝.txt"), "text two"},  // a name from Chinese Windows
      {"../escape.txt", "x"},
      {"/etc/passwd.txt", "x"},
      {"C:\\windows\\x.txt", "x"},
      {"a/../../b.txt", "x"},
      {"tool.exe", "MZ"},
      {"inner.zip", "PK"},
      {"folder/", ""},
      {"__MACOSX/2024/._luohu.txt", "x"},
      {".DS_Store", "x"},
  });
  const UnpackedZip out = unpack_zip(zip, "year.zip");
  ASSERT_EQ(out.members.size(), 2u);
  EXPECT_EQ(out.members[0].name, "2024/luohu.txt");
  EXPECT_EQ(out.members[0].bytes, "text one");
  EXPECT_EQ(out.members[1].name, "2024/沙坪坝.txt");
  std::vector<std::string> refused;
  for (const ZipRefusal& r : out.refused) refused.push_back(r.name);
  EXPECT_EQ(refused, (std::vector<std::string>{"year.zip/../escape.txt", "year.zip//etc/passwd.txt",
                                               "year.zip/C:\\windows\\x.txt", "year.zip/a/../../b.txt",
                                               "year.zip/tool.exe", "year.zip/inner.zip"}));
  EXPECT_NE(out.refused[0].reason.find("leaves the zip"), std::string::npos);
}

TEST(UnpackZip, RefusesBombsAndWhatIsNotAZip) {
  ZipLimits limits;
  limits.max_unpacked_bytes = 100;
  limits.max_entry_bytes = 60;
  const std::string fits = testing::make_zip({{"a.txt", std::string(50, 'a')}, {"b.txt", std::string(40, 'b')}});
  EXPECT_EQ(unpack_zip(fits, "z.zip", limits).members.size(), 2u);
  const std::string too_much =
      testing::make_zip({{"a.txt", std::string(50, 'a')}, {"b.txt", std::string(51, 'b')}});
  EXPECT_THROW(unpack_zip(too_much, "z.zip", limits), Error);
  const UnpackedZip big_entry = unpack_zip(testing::make_zip({{"a.txt", std::string(61, 'a')}}), "z.zip", limits);
  EXPECT_TRUE(big_entry.members.empty());
  ASSERT_EQ(big_entry.refused.size(), 1u);
  // A bomb whose headers hide its size: no more than the declared bytes (and one) are ever
  // inflated, and the entry, longer than it says, is refused rather than cut short.
  const UnpackedZip lying =
      unpack_zip(testing::make_zip_bomb(std::size_t(200) << 20, true, "huge.txt"), "bomb.zip");
  EXPECT_TRUE(lying.members.empty());
  ASSERT_EQ(lying.refused.size(), 2u);  // [Content_Types].xml is no document (_rels/.rels is hidden)
  EXPECT_EQ(lying.refused[1].name, "bomb.zip/huge.txt");
  EXPECT_NE(lying.refused[1].reason.find("more than its header says"), std::string::npos);
  // One that says its size is refused before anything of it is inflated.
  const UnpackedZip honest =
      unpack_zip(testing::make_zip_bomb(std::size_t(600) << 20, false, "huge.txt"), "bomb.zip");
  EXPECT_TRUE(honest.members.empty());
  ASSERT_EQ(honest.refused.size(), 2u);
  EXPECT_NE(honest.refused[1].reason.find("unpacks past 64 MiB"), std::string::npos);
  limits.max_entries = 1;
  EXPECT_THROW(unpack_zip(fits, "z.zip", limits), Error);
  EXPECT_THROW(unpack_zip("not a zip at all", "z.zip"), Error);
  EXPECT_THROW(unpack_zip("", "z.zip"), Error);
}

// An upload job once it has ended (or as it stood after 30 s); none if `who` may not see it.
std::optional<JobProgress> ended_job(Service& service, const Session& who, const std::string& id) {
  std::optional<JobProgress> job;
  for (int i = 0; i < 600; ++i) {
    job = service.job(who, id);
    if (job && job->state != "queued" && job->state != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return job;
}

// The Service over an archive of the seed reports: who may see and do what.
class ServiceAccess : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      Archive archive = Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite);
      testing::add_seeds(archive, testing::seeds());
    }
    ServiceParams params;
    params.archive = dir_ / "a.db";
    params.store_params = quick_store();
    service_ = std::make_unique<Service>(params);
    service_->store().add_user("luohu", Role::kAgency, "深圳市罗湖区民政局", "correct horse battery");
    service_->store().add_user("other", Role::kAgency, "重庆市沙坪坝区民政局", "correct horse battery");
    service_->store().add_user("inspector", Role::kInspector, "", "correct horse battery");
    luohu_ = session("luohu");
    other_ = session("other");
    inspector_ = session("inspector");
  }
  Session session(const std::string& name) {
    return service_->log_in(name, "correct horse battery", "10.0.0.1").session.value().session;
  }
  UploadedFile recycled() const {
    return {"luohu-2025.txt", testing::read_bytes(testing::corpora_dir() / "cases/luohu-minzheng-2025.txt")};
  }

  TempDir dir_;
  std::unique_ptr<Service> service_;
  Session luohu_, other_, inspector_;
};

TEST_F(ServiceAccess, AnAgencySeesOnlyItsOwnChecks) {
  const CheckRecord record = service_->check_draft(luohu_, recycled(), 2025, "");
  EXPECT_EQ(record.agency, "深圳市罗湖区民政局");
  EXPECT_GT(record.copy_ratio, 0.7);
  EXPECT_TRUE(service_->find_check(luohu_, record.id));
  EXPECT_TRUE(service_->find_check(inspector_, record.id));
  EXPECT_FALSE(service_->find_check(other_, record.id));
  EXPECT_TRUE(service_->checks(other_).empty());
  EXPECT_EQ(service_->checks(inspector_).size(), 1u);
  // An agency cannot check in another agency's name.
  try {
    service_->check_draft(other_, recycled(), 2025, "深圳市罗湖区民政局");
    ADD_FAILURE() << "checked in another agency's name";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.status(), 403);
  }
}

// A service told to keep checks for some days forgets older ones when it starts.
TEST_F(ServiceAccess, ChecksPastTheirKeepingAreForgottenOnStart) {
  const CheckRecord kept = service_->check_draft(luohu_, recycled(), 2025, "");
  CheckRecord old = kept;
  old.created = kept.created - 40 * 86400;
  const std::string old_id = service_->store().save_check(old);
  ServiceParams params = service_->params();
  params.keep_checks = std::chrono::days(30);
  service_.reset();
  service_ = std::make_unique<Service>(params);
  EXPECT_FALSE(service_->find_check(inspector_, old_id));
  EXPECT_TRUE(service_->find_check(inspector_, kept.id));
}

TEST_F(ServiceAccess, ChecksRefuseUnreadableFilesAndMissingYears) {
  auto status_of = [&](const UploadedFile& file, int year) {
    try {
      service_->check_draft(luohu_, file, year, "");
    } catch (const ServiceError& e) {
      return e.status();
    }
    return 0;
  };
  EXPECT_EQ(status_of({"draft.pdf", "this is not a PDF at all, just text"}, 2025), 415);
  EXPECT_EQ(status_of({"draft.txt", ""}, 2025), 415);
  EXPECT_EQ(status_of(recycled(), 0), 422);  // the file's first line names no year
}

TEST_F(ServiceAccess, OnlyInspectorsAddAndTheJobSaysWhatTheArchiveHolds) {
  EXPECT_THROW(service_->start_add(luohu_, {recycled()}, "", 2025, "report"), ServiceError);
  EXPECT_THROW(service_->stats(luohu_), ServiceError);
  EXPECT_THROW(service_->yoy(other_, 2025), ServiceError);
  const std::int64_t before = service_->stats(inspector_)["documents"];
  const std::string zip = testing::make_zip({{"a/luohu-2025.txt", recycled().bytes}, {"../x.txt", "x"}});
  const std::string id = service_->start_add(
      inspector_, {{"year.zip", zip}, {"notes.txt", ""}}, "深圳市罗湖区民政局", 2025, "report");
  const std::optional<JobProgress> job = ended_job(*service_, inspector_, id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, "done");
  EXPECT_EQ(job->total, 3u);
  EXPECT_EQ(job->done, 3u);
  EXPECT_EQ(job->added, 1u);
  ASSERT_EQ(job->refused.size(), 2u);
  EXPECT_EQ(job->refused[0].file, "year.zip/../x.txt");
  EXPECT_EQ(job->refused[1].file, "notes.txt");
  EXPECT_EQ(service_->stats(inspector_)["documents"], before + 1);
  // The year's overview now holds the recycled report, flagged against its 2024 report.
  const auto yoy = service_->yoy(inspector_, 2025);
  bool flagged = false;
  for (const YoyRow& row : yoy->rows) flagged |= row.report.agency == "深圳市罗湖区民政局" && row.flagged;
  EXPECT_TRUE(flagged);
  // A row's evidence, checked again on demand, is the check yoy itself made for the row.
  YoyParams kept = service_->params().yoy;
  kept.year = 2025;
  kept.keep_findings = true;
  const Archive archive = Archive::open(dir_ / "a.db", Archive::Mode::kReadOnly);
  const YoyResult direct = year_over_year(archive, kept);
  ASSERT_EQ(direct.rows.size(), yoy->rows.size());
  for (std::size_t i = 0; i < yoy->rows.size(); ++i)
    EXPECT_EQ(render_json(service_->yoy_evidence(inspector_, yoy->rows[i])), render_json(direct.rows[i].findings));
}

// Upload jobs over an archive the test makes (and damages) itself.
class ServiceJobs : public ::testing::Test {
 protected:
  void start(const ArchiveParams& params) {
    Archive::open(archive(), Archive::Mode::kReadWrite, params);
    ServiceParams service_params;
    service_params.archive = archive();
    service_params.store_params = quick_store();
    service_ = std::make_unique<Service>(service_params);
    service_->store().add_user("inspector", Role::kInspector, "", "correct horse battery");
    inspector_ = service_->log_in("inspector", "correct horse battery", "10.0.0.1").session.value().session;
  }
  // Reports of corpora/reports/ uploaded under `agency` for 2024; the job once it has ended.
  JobProgress upload(const std::vector<std::string>& names, const std::string& agency) {
    std::vector<UploadedFile> files;
    for (const std::string& name : names)
      files.push_back({name, testing::read_bytes(testing::corpora_dir() / "reports" / name)});
    const std::string id = service_->start_add(inspector_, files, agency, 2024, "report");
    return ended_job(*service_, inspector_, id).value();
  }
  std::filesystem::path archive() const { return dir_ / "a.db"; }
  std::int64_t documents() const { return testing::sqlite_scalar(archive(), "SELECT count(*) FROM documents"); }

  TempDir dir_;
  std::unique_ptr<Service> service_;
  Session inspector_;
};

// A job whose files are all committed but whose index runs cannot be merged afterwards is done,
// and says so in a warning (JSON and its page) rather than nothing; the next job merges them.
TEST_F(ServiceJobs, AMergeThatFailsAfterTheFilesAreCommittedIsAWarning) {
  ArchiveParams params;
  params.posting_bucket_bits = 7;  // any group is large enough to be written as a posting run
  start(params);
  // Every write to `postings` (a merge) fails the way a full disk would; runs are still written.
  testing::sqlite_exec(archive(), "CREATE TRIGGER full BEFORE INSERT ON postings "
                                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END");
  const JobProgress first = upload({"luohu-minzheng-2024.txt"}, "深圳市罗湖区民政局");
  EXPECT_EQ(first.state, "done");
  EXPECT_EQ(first.added, 1u) << first.error << (first.refused.empty() ? "" : first.refused[0].reason);
  ASSERT_EQ(first.warnings.size(), 1u);
  EXPECT_NE(first.warnings[0].find("posting runs could not be merged"), std::string::npos) << first.warnings[0];
  EXPECT_NE(first.warnings[0].find("disk is full (injected)"), std::string::npos) << first.warnings[0];
  EXPECT_EQ(job_to_json(first)["warnings"], nlohmann::json(first.warnings));
  EXPECT_NE(page_job(inspector_, first).find("posting runs could not be merged"), std::string::npos);
  EXPECT_EQ(documents(), 1);
  EXPECT_GT(testing::sqlite_scalar(archive(), "SELECT count(*) FROM posting_runs"), 0);
  EXPECT_TRUE(Archive::open(archive(), Archive::Mode::kReadOnly).verify().ok());

  testing::sqlite_exec(archive(), "DROP TRIGGER full");
  const JobProgress second = upload({"shapingba-minzheng-2024.txt"}, "重庆市沙坪坝区民政局");
  EXPECT_EQ(second.state, "done");
  EXPECT_EQ(second.added, 1u) << second.error;
  EXPECT_TRUE(second.warnings.empty());
  EXPECT_FALSE(job_to_json(second).contains("warnings"));
  EXPECT_EQ(testing::sqlite_scalar(archive(), "SELECT count(*) FROM posting_runs"), 0);
  EXPECT_EQ(documents(), 2);
}

// An add that cannot be written inside an open group (its text refused the way a full disk would)
// fails the job; the documents before it in the group are committed first, and the job counts
// exactly those as added.
TEST_F(ServiceJobs, AnAddThatFailsInsideAnOpenGroupCommitsTheOnesBeforeIt) {
  start({});
  testing::sqlite_exec(archive(), "CREATE TRIGGER full BEFORE INSERT ON texts WHEN "
                                  "(SELECT file FROM documents WHERE id = NEW.doc_id) LIKE '%shapingba%' "
                                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END");
  const JobProgress job =
      upload({"luohu-minzheng-2024.txt", "hechuan-sifa-2024.txt", "shapingba-minzheng-2024.txt", "anwen-zhen-2021.txt"},
             "深圳市罗湖区民政局");
  EXPECT_EQ(job.state, "failed");
  EXPECT_NE(job.error.find("disk is full (injected)"), std::string::npos) << job.error;
  EXPECT_EQ(job.added, 2u) << job.error;
  EXPECT_EQ(job.done, 2u);
  EXPECT_EQ(documents(), 2);
  EXPECT_EQ(testing::sqlite_rows(archive(), "SELECT file FROM documents ORDER BY id"),
            (std::vector<std::string>{"luohu-minzheng-2024.txt", "hechuan-sifa-2024.txt"}));
  EXPECT_TRUE(Archive::open(archive(), Archive::Mode::kReadOnly).verify().ok());
}

TEST_F(ServiceAccess, LoginsAreThrottledPerName) {
  ServiceParams params = service_->params();
  for (int i = 0; i < params.login_failures; ++i) {
    const LoginOutcome failed = service_->log_in("luohu", "wrong password!", "10.0.0.2");
    EXPECT_FALSE(failed.session);
    EXPECT_EQ(failed.retry_after_seconds, 0);
  }
  const LoginOutcome throttled = service_->log_in("luohu", "correct horse battery", "10.0.0.3");
  EXPECT_FALSE(throttled.session);
  EXPECT_GT(throttled.retry_after_seconds, 0);
  EXPECT_TRUE(service_->log_in("other", "correct horse battery", "10.0.0.2").session);
}

}  // namespace
}  // namespace leitong
