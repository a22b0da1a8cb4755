#include "routes.h"

#include <fmt/format.h>
#include <leitong/render/html_report.h>
#include <leitong/render/report.h>
#include <leitong/core/text.h>
#include <leitong/service/pages.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace leitong::serve {

namespace {

using nlohmann::json;

constexpr const char* kCookie = "leitong_session";

bool is_api(const HttpRequest& r) { return r.path.starts_with("/api/"); }

bool changes_state(const HttpRequest& r) { return r.method != "GET" && r.method != "HEAD"; }

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string session_token(const std::string& cookies) {
  std::size_t at = 0;
  while (at < cookies.size()) {
    const std::size_t end = std::min(cookies.find(';', at), cookies.size());
    std::string_view pair(cookies.data() + at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(std::string(kCookie) + "=")) return std::string(pair.substr(std::strlen(kCookie) + 1));
    at = end + 1;
  }
  return "";
}

HttpResponse json_response(int status, const json& body) {
  HttpResponse out;
  out.status = status;
  out.content_type = "application/json; charset=utf-8";
  out.body = json_text(body);
  return out;
}

HttpResponse html_response(int status, std::string body) {
  HttpResponse out;
  out.status = status;
  out.body = std::move(body);
  return out;
}

HttpResponse redirect(const std::string& to) {
  HttpResponse out;
  out.status = 303;
  out.headers.emplace_back("Location", to);
  return out;
}

// At most `chars` characters of what a client sent, safe to echo: bytes that are not UTF-8
// become U+FFFD, control characters are dropped.
std::string printable(const std::string& text, std::size_t chars) {
  std::u32string decoded;
  if (!decode_charset(text, "UTF-8", decoded)) {
    decoded.clear();
    for (unsigned char c : text) decoded.push_back(c < 0x80 ? c : U'\uFFFD');
  }
  std::string out;
  for (std::size_t i = 0; i < decoded.size() && i < chars; ++i)
    if (decoded[i] >= 0x20 && decoded[i] != 0x7f) out += encode_utf8(std::u32string(1, decoded[i]));
  return out;
}

// A year from a form or query: 0 when absent; ServiceError 400 when not a year.
int year_of(const std::string& text) {
  if (text.empty()) return 0;
  int year = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || end != text.data() + text.size() || year < 1900 || year > 2200)
    throw ServiceError(400, fmt::format("年度应为 1900 到 2200 之间的整数 (year must be a whole number from 1900 to 2200, "
                                        "not '{}')",
                                        printable(text, 16)));
  return year;
}

// A form sent as multipart/form-data: its text fields and its files.
struct Form {
  std::map<std::string, std::string> fields;
  std::vector<UploadedFile> files;
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

Form read_form(const HttpRequest& r) {
  Form form;
  const std::string type = r.header("content-type");
  if (type.starts_with("application/x-www-form-urlencoded")) {
    form.fields = parse_form(r.body);
    return form;
  }
  std::string boundary;
  try {
    boundary = multipart_boundary(type);
  } catch (const Error& e) {
    throw ServiceError(415, fmt::format("需要 multipart/form-data 表单 ({})", e.what()));
  }
  for (const FormPart& part : parse_multipart(r.body, boundary)) {
    if (part.file_name) {
      if (part.file_name->empty() && part.data.empty()) continue;  // a file input left empty
      form.files.push_back({client_file_name(*part.file_name), std::string(part.data)});
    } else if (!form.fields.count(part.name)) {
      form.fields[part.name] = std::string(part.data);
    }
  }
  return form;
}

// Ratios rounded as in leitong.check/1 (4 decimals).
json check_summary(const CheckRecord& c) {
  auto round4 = [](double r) { return std::round(r * 10000) / 10000; };
  return {{"id", c.id},
          {"agency", c.agency},
          {"user", c.user},
          {"file", c.file},
          {"year", c.year},
          {"created", c.created},
          {"copy_ratio", round4(c.copy_ratio)},
          {"copy_ratio_excluding_boilerplate", round4(c.copy_ratio_excluding_boilerplate)}};
}

std::string cookie_header(const std::string& value, bool secure, std::int64_t max_age) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}{}", kCookie, value, secure ? "; Secure" : "",
                     max_age >= 0 ? fmt::format("; Max-Age={}", max_age) : std::string());
}

// The browser's Origin, when it sent one, must be this server's: a page of another site cannot
// make a signed-in browser change anything here (SameSite=Strict already keeps the cookie away).
bool same_origin(const HttpRequest& r) {
  const std::string origin = r.header("origin");
  if (origin.empty()) return true;
  const std::string host = r.header("host");
  return origin == "http://" + host || origin == "https://" + host;
}

}  // namespace

bool Router::takes_upload(const std::string& method, const std::string& path) const {
  return method == "POST" && (path == "/checks" || path == "/upload" || path == "/api/v1/checks" ||
                              path == "/api/v1/documents");
}

bool Router::is_heavy(const std::string& method, const std::string& path) const {
  if (method == "POST")
    return path == "/checks" || path == "/api/v1/checks" || path == "/login" || path == "/api/v1/session" ||
           path == "/users" || path == "/users/password" || path == "/upload" || path == "/api/v1/documents";
  return path.starts_with("/yoy") || path == "/api/v1/yoy" || path.ends_with("/report.pdf") || path == "/boilerplate" ||
         path == "/api/v1/boilerplate" || path == "/clusters" || path == "/api/v1/clusters" || path == "/" ||
         path == "/api/v1/stats";
}

bool Router::signed_in(const std::string& cookie_header) {
  const std::string token = session_token(cookie_header);
  return !token.empty() && service_.session(token).has_value();
}

HttpResponse Router::handle(const HttpRequest& r) {
  std::optional<Session> who;
  auto fail = [&](int status, const std::string& message) {
    if (is_api(r)) return json_response(status, {{"error", message}});
    return html_response(status, page_error(who ? &*who : nullptr, status, message));
  };
  try {
    const std::vector<std::string> parts = segments(r.path);
    const bool api = is_api(r);
    const std::string token = session_token(r.header("cookie"));
    if (!token.empty()) who = service_.session(token);
    const bool secure = options_.secure_cookies || r.secure;

    if (changes_state(r) && !same_origin(r))
      return fail(403, "请求来自其他网站 (the request comes from another site's page)");

    // Signing in and out.
    if (r.path == "/login" || r.path == "/api/v1/session") {
      if ((r.method == "GET" || r.method == "HEAD") && !api)
        return who ? redirect("/") : html_response(200, page_login("", ""));
      if (r.method == "POST") {
        std::string name, password;
        if (api) {
          const json body = json::parse(r.body, nullptr, false);
          if (!body.is_object() || !body.contains("name") || !body.contains("password") || !body["name"].is_string() ||
              !body["password"].is_string())
            return fail(400, "需要 JSON {\"name\", \"password\"} (expected a JSON object with name and password)");
          name = body["name"];
          password = body["password"];
        } else {
          const auto form = parse_form(r.body);
          if (form.count("name")) name = form.at("name");
          if (form.count("password")) password = form.at("password");
        }
        const LoginOutcome outcome = service_.log_in(name, password, r.client);
        if (outcome.retry_after_seconds > 0) {
          HttpResponse out = fail(429, fmt::format("登录失败次数过多，请 {} 秒后再试 (too many failed logins; try again in {} s)",
                                                   outcome.retry_after_seconds, outcome.retry_after_seconds));
          out.headers.emplace_back("Retry-After", std::to_string(outcome.retry_after_seconds));
          return out;
        }
        if (!outcome.session) {
          if (api) return fail(401, "用户名或密码不正确 (wrong name or password)");
          return html_response(401, page_login("用户名或密码不正确。", name));
        }
        const NewSession& s = *outcome.session;
        const std::string cookie = cookie_header(s.token, secure, -1);
        HttpResponse out = api ? json_response(200, {{"name", s.session.user.name},
                                                     {"role", role_name(s.session.user.role)},
                                                     {"agency", s.session.user.agency},
                                                     {"csrf_token", s.session.csrf_token}})
                               : redirect("/");
        out.headers.emplace_back("Set-Cookie", cookie);
        return out;
      }
    }

    if (!who) {
      if (api) return fail(401, "请先登录 (sign in first)");
      if (r.method == "GET" || r.method == "HEAD") return redirect("/login");
      return fail(401, "请先登录 (sign in first)");
    }

    if (changes_state(r)) {
      // Pages take only POST (forms); the API also DELETE.
      if (r.method != "POST" && !(api && r.method == "DELETE"))
        return fail(405, "不支持的请求方法 (method not allowed)");
      // The token comes in a header (scripts) or in the form (pages); the form is read once here.
      std::string sent = r.header("x-csrf-token");
      std::optional<Form> form;
      if (sent.empty() && !api) {
        form = read_form(r);
        sent = form->field("csrf_token");
      }
      if (!tokens_equal(sent, who->csrf_token))
        return fail(403, "缺少或错误的 CSRF 令牌 (missing or wrong CSRF token)");
      auto body = [&]() -> const Form& {
        if (!form) form = read_form(r);
        return *form;
      };

      if (r.path == "/logout" || (r.path == "/api/v1/session" && r.method == "DELETE")) {
        service_.log_out(token);
        HttpResponse out = api ? HttpResponse{204, "", "", {}} : redirect("/login");
        out.headers.emplace_back("Set-Cookie", cookie_header("", secure, 0));
        return out;
      }
      if (r.method == "POST" && (r.path == "/checks" || r.path == "/api/v1/checks")) {
        const Form& f = body();
        if (f.files.size() != 1) throw ServiceError(400, "请上传一个文件 (upload exactly one file, field 'file')");
        try {
          const CheckRecord record =
              service_.check_draft(*who, f.files.front(), year_of(f.field("year")), f.field("agency"));
          if (!api) return redirect("/checks/" + record.id);
          return json_response(201, {{"id", record.id}, {"check", json::parse(record.json)}});
        } catch (const ServiceError& e) {
          if (api) throw;
          return html_response(e.status(), page_checks(*who, service_.checks(*who), e.what()));
        }
      }
      if (r.method == "POST" && (r.path == "/upload" || r.path == "/api/v1/documents")) {
        Form f = body();
        try {
          const std::string id = service_.start_add(*who, std::move(f.files), f.field("agency"),
                                                    year_of(f.field("year")), f.field("kind"));
          if (!api) return redirect("/jobs/" + id);
          return json_response(202, {{"job", id}});
        } catch (const ServiceError& e) {
          if (api || e.status() == 403) throw;
          return html_response(e.status(), page_upload(*who, service_.jobs(*who), e.what()));
        }
      }
      if (r.method == "POST" && r.path == "/users") {
        const Form& f = body();
        const std::optional<Role> role = parse_role(f.field("role"));
        try {
          if (!role) throw ServiceError(400, "角色应为 inspector 或 agency (role must be inspector or agency)");
          service_.add_user(*who, f.field("name"), *role, f.field("agency"), f.field("password"));
          return redirect("/users");
        } catch (const ServiceError& e) {
          if (e.status() == 403) throw;
          return html_response(e.status(), page_users(*who, service_.users(*who), e.what()));
        }
      }
      if (r.method == "POST" && r.path == "/users/remove") {
        service_.remove_user(*who, body().field("name"));
        return redirect("/users");
      }
      if (r.method == "POST" && r.path == "/users/password") {
        try {
          service_.set_password(*who, body().field("name"), body().field("password"));
          return redirect("/users");
        } catch (const ServiceError& e) {
          if (e.status() == 403) throw;
          return html_response(e.status(), page_users(*who, service_.users(*who), e.what()));
        }
      }
      return fail(404, "没有这个地址 (no such address)");
    }

    // Reading.
    if (r.method != "GET" && r.method != "HEAD") return fail(405, "不支持的请求方法 (method not allowed)");
    const bool inspector = who->user.role == Role::kInspector;
    if (r.path == "/") {
      if (!inspector) return redirect("/checks");
      return html_response(200, page_dashboard(*who, service_.stats(*who), service_.years(*who), service_.jobs(*who)));
    }
    if (r.path == "/checks") return html_response(200, page_checks(*who, service_.checks(*who), ""));
    if (r.path == "/api/v1/checks") {
      json list = json::array();
      for (const CheckRecord& c : service_.checks(*who)) list.push_back(check_summary(c));
      return json_response(200, {{"checks", list}});
    }
    if ((parts.size() == 2 && parts[0] == "checks") ||
        (parts.size() >= 4 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "checks")) {
      const std::string& id = parts[0] == "checks" ? parts[1] : parts[3];
      const std::optional<CheckRecord> record = service_.find_check(*who, id);
      if (!record) return fail(404, "没有这次检测 (no such check)");
      if (!api) return html_response(200, page_check(*who, *record));
      if (parts.size() == 4) return json_response(200, {{"id", record->id}, {"check", json::parse(record->json)}});
      if (parts.size() == 5 && parts[4] == "evidence") return html_response(200, record->evidence_html);
      if (parts.size() == 5 && parts[4] == "report.pdf") {
        HttpResponse out;
        out.status = 200;
        out.content_type = "application/pdf";
        out.body = service_.report_pdf(*who, id);
        // The id only: a file name from the client has no place in a header.
        out.headers.emplace_back("Content-Disposition",
                                 fmt::format("attachment; filename=\"leitong-{}.pdf\"", record->id.substr(0, 8)));
        return out;
      }
      return fail(404, "没有这个地址 (no such address)");
    }
    if (r.path == "/upload") return html_response(200, page_upload(*who, service_.jobs(*who), ""));
    if (parts.size() == 2 && parts[0] == "jobs") {
      const std::optional<JobProgress> job = service_.job(*who, parts[1]);
      if (!job) return fail(404, "没有这个上传任务 (no such job)");
      return html_response(200, page_job(*who, *job));
    }
    if (r.path == "/api/v1/jobs") {
      json list = json::array();
      for (const JobProgress& j : service_.jobs(*who)) list.push_back(job_to_json(j));
      return json_response(200, {{"jobs", list}});
    }
    if (parts.size() == 4 && parts[0] == "api" && parts[2] == "jobs") {
      const std::optional<JobProgress> job = service_.job(*who, parts[3]);
      if (!job) return fail(404, "没有这个上传任务 (no such job)");
      return json_response(200, job_to_json(*job));
    }
    if (r.path == "/yoy" || r.path == "/api/v1/yoy") {
      auto it = r.query.find("year");
      const int year = year_of(it == r.query.end() ? "" : it->second);
      if (!year) return fail(400, "请给出年份 (give ?year=YYYY)");
      const auto result = service_.yoy(*who, year);
      if (api) return json_response(200, yoy_to_json(*result));
      return html_response(200, with_navigation(*who, render_yoy_html(*result, [year](std::size_t i) {
                             return fmt::format("/yoy/{}/{}", year, i + 1);
                           })));
    }
    if (parts.size() == 3 && parts[0] == "yoy") {
      const int year = year_of(parts[1]);
      std::size_t row = 0;
      const auto [end, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), row);
      const auto result = service_.yoy(*who, year);
      if (ec != std::errc() || end != parts[2].data() + parts[2].size() || row == 0 || row > result->rows.size())
        return fail(404, "没有这一行 (no such row)");
      return html_response(200, with_navigation(*who, render_check_html(service_.yoy_evidence(*who, result->rows[row - 1]))));
    }
    if (r.path == "/api/v1/stats") return json_response(200, service_.stats(*who));
    if (r.path == "/api/v1/boilerplate") return json_response(200, service_.boilerplate(*who));
    if (r.path == "/api/v1/clusters") return json_response(200, service_.clusters(*who));
    if (r.path == "/boilerplate") return html_response(200, page_boilerplate(*who, service_.boilerplate(*who)));
    if (r.path == "/clusters") return html_response(200, page_clusters(*who, service_.clusters(*who)));
    if (r.path == "/users") return html_response(200, page_users(*who, service_.users(*who), ""));
    if (r.path == "/users/remove") {
      auto it = r.query.find("name");
      const std::vector<User> users = service_.users(*who);  // 403 for agency users
      for (const User& u : users)
        if (it != r.query.end() && u.name == it->second) return html_response(200, page_remove_user(*who, u));
      return fail(404, "没有这个用户 (no such user)");
    }
    return fail(404, "没有这个地址 (no such address)");
  } catch (const ServiceError& e) {
    return fail(e.status(), e.what());
  } catch (const Error& e) {
    return fail(400, e.what());
  }
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int value = 0;
      const auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
      if (ec != std::errc() || end != in.data() + i + 3) return false;
      out += static_cast<char>(value);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at <= body.size()) {
    const std::size_t end = std::min(body.find('&', at), body.size());
    const std::string_view pair = body.substr(at, end - at);
    const std::size_t eq = pair.find('=');
    std::string name, value;
    if (!pair.empty() && percent_decode(pair.substr(0, eq), name, true) &&
        (eq == std::string_view::npos || percent_decode(pair.substr(eq + 1), value, true)))
      out.emplace(std::move(name), std::move(value));
    at = end + 1;
  }
  return out;
}

}  // namespace leitong::serve
