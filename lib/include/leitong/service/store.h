// What the web service keeps beside an archive: its users, their sessions and the checks they ran.
//
// It lives in its own SQLite file next to the archive ("<archive>.service"), so an archive without
// users is exactly the archive the CLI reads and writes, and a copy of the archive alone carries no
// passwords. Passwords are stored as Argon2id hashes (libsodium's crypto_pwhash_str: the salt and
// the cost are inside the hash); a session cookie's token and its CSRF token are random 256-bit
// values, and only a hash of the session token is stored, so the file does not hand out sessions.
// Every method is safe to call from several threads (one connection behind a mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leitong {

enum class Role { kInspector, kAgency };
std::string_view role_name(Role role);             // "inspector" / "agency"
std::optional<Role> parse_role(std::string_view);  // the names above

struct User {
  std::string name;
  Role role = Role::kAgency;
  std::string agency;  // canonical agency name (agency users); "" for inspectors
  std::int64_t created = 0;  // Unix seconds
};

struct Session {
  User user;
  std::string csrf_token;  // 64 hex digits; required on every state-changing request
  std::int64_t expires = 0;  // Unix seconds
};

struct NewSession {
  std::string token;  // the cookie value: 64 hex digits, given once and never stored
  Session session;
};

// A check an agency (or an inspector on its behalf) ran through the service. Checked drafts are
// never added to the archive; the service keeps the result so the agency can read it again.
struct CheckRecord {
  std::string id;        // 32 hex digits, random: ids cannot be guessed or enumerated
  std::string agency;    // whose check it is: only this agency's users and inspectors see it
  std::string user;      // who ran it
  std::string file;      // the uploaded file's name, as the browser gave it
  int year = 0;
  std::int64_t created = 0;  // Unix seconds
  double copy_ratio = 0;
  double copy_ratio_excluding_boilerplate = 0;
  std::string json;      // leitong.check/1, as `leitong check --format json` prints it
  std::string evidence_html;  // the evidence page, rendered when the check ran
  std::string text;   // the draft's extracted text (UTF-8), for the PDF report; empty in older checks
  std::string scope;  // what the archive held when the check ran (scope_text)
};

struct StoreParams {
  std::chrono::seconds session_idle{30 * 60};        // a session unused this long ends
  std::chrono::seconds session_lifetime{12 * 3600};  // and every session ends after this long
  // Argon2id cost (libsodium's "interactive" limits by default: 2 passes over 64 MiB).
  unsigned long long pwhash_ops = 2;
  std::size_t pwhash_memory = std::size_t(64) << 20;
};

class ServiceStore {
 public:
  // The service file beside `archive`: "<archive>.service".
  static std::filesystem::path path_for(const std::filesystem::path& archive);
  // Opens (creating it when missing) the service file at `path`. Throws Error naming the file.
  static ServiceStore open(const std::filesystem::path& path, const StoreParams& params = {});

  ServiceStore(ServiceStore&&) noexcept;
  ServiceStore& operator=(ServiceStore&&) noexcept;
  ~ServiceStore();

  // Users. Names are 1–64 characters without control characters or spaces at either end; an agency
  // user needs an agency, an inspector has none; passwords have at least 10 characters. Throws
  // Error with the reason (also for a name that exists, or, for the others, one that does not).
  void add_user(const std::string& name, Role role, const std::string& agency, const std::string& password);
  void set_password(const std::string& name, const std::string& password);  // ends their sessions
  void remove_user(const std::string& name);                                // ends their sessions
  std::vector<User> users() const;
  std::optional<User> find_user(const std::string& name) const;
  // The user when `password` is theirs. Takes the same time for a name that does not exist.
  std::optional<User> authenticate(const std::string& name, const std::string& password) const;

  // Sessions.
  NewSession start_session(const User& user);
  // The live session of a cookie token, its idle time renewed; nullopt when unknown or expired.
  std::optional<Session> find_session(const std::string& token);
  void end_session(const std::string& token);

  // Checks.
  std::string save_check(CheckRecord record);  // assigns and returns the id
  std::optional<CheckRecord> find_check(const std::string& id) const;
  // Newest first, without json and evidence; `agency` empty: every agency's.
  std::vector<CheckRecord> list_checks(const std::string& agency, std::size_t limit = 200) const;
  // Forgets the checks run before `created` (Unix seconds); returns how many.
  std::size_t remove_checks_before(std::int64_t created);

  // Copies the write-ahead log into the file (SQLite's PASSIVE checkpoint, on a connection of its
  // own, so that requests are not held up meanwhile). The store does not do this by itself: call
  // it every few seconds from one thread (Service does).
  void checkpoint();

  const std::filesystem::path& path() const;

 private:
  struct Impl;
  explicit ServiceStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when `given` equals `expected` (both hex tokens), compared in constant time.
bool tokens_equal(const std::string& given, const std::string& expected);

// `bytes` random bytes from the system's generator, as lower-case hex.
std::string random_hex(std::size_t bytes);

}  // namespace leitong
