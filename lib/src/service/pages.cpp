#include <leitong/render/html_report.h>
#include <leitong/service/pages.h>

#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace leitong {

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string pct(double r) { return fmt::format("{:.1f}%", 100.0 * r); }

std::string local_time(std::int64_t unix_seconds) {
  const std::time_t t = unix_seconds;
  std::tm tm{};
  localtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
  return out;
}

constexpr const char* kServiceStyle = R"css(
nav.top { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: center; padding: 10px 28px;
          background: #1f3b5c; color: #fff; font-size: 14px; }
nav.top a { color: #fff; text-decoration: none; } nav.top a:hover { text-decoration: underline; }
nav.top .who { margin-left: auto; color: #c9d6e6; }
nav.top form { display: inline; margin: 0; } nav.top button { font: inherit; background: none; border: 1px solid #8aa3c0;
          color: #fff; border-radius: 4px; padding: 1px 8px; cursor: pointer; }
form.box { border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 14px 0; max-width: 640px; }
form.box label { display: block; margin: 8px 0; } form.box input[type=text], form.box input[type=password],
form.box input[type=number], form.box select { font: inherit; padding: 4px 8px; width: 100%; max-width: 360px;
          border: 1px solid #b8c2cc; border-radius: 4px; }
form.box button, form.inline button { font: inherit; padding: 5px 18px; background: #2f6db5; color: #fff; border: 0;
          border-radius: 4px; cursor: pointer; }
form.inline { display: inline; margin: 0; } form.inline button { padding: 1px 10px; background: #9b3b33; }
.error { border: 1px solid #e0a9a4; background: #fbeceb; color: #8a1f17; padding: 8px 12px; border-radius: 6px; }
.warning { border: 1px solid #e3c77a; background: #fdf6e3; color: #6b4f00; padding: 8px 12px; border-radius: 6px; }
.hint { color: var(--muted); font-size: 13px; }
progress { width: 100%; max-width: 480px; height: 16px; }
main { min-height: auto; }
@media (max-width: 700px) { nav.top { padding: 8px 12px; } }
)css";

// Forms marked data-progress send their files with a progress bar (the server then answers as to
// the plain form, whose redirect is followed); without JavaScript they are plain forms.
constexpr const char* kUploadProgressScript = R"js(
document.querySelectorAll('form[data-progress]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var bar = form.querySelector('progress'), note = form.querySelector('.progress-note');
    bar.hidden = false;
    form.querySelector('button[type=submit]').disabled = true;
    var request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.upload.onprogress = function (p) {
      if (!p.lengthComputable) return;
      bar.max = p.total; bar.value = p.loaded;
      note.textContent = p.loaded < p.total ? '正在上传 ' + Math.round(100 * p.loaded / p.total) + '%' : '上传完成，正在处理…';
    };
    request.onload = function () {
      if (request.status < 400) { location.href = request.responseURL; return; }
      document.open(); document.write(request.responseText); document.close();
    };
    request.onerror = function () {
      note.textContent = '上传失败（网络中断），请重试。';
      form.querySelector('button[type=submit]').disabled = false;
    };
    request.send(new FormData(form));
  });
});
)js";

constexpr const char* kProgressBar = "<progress hidden value=\"0\"></progress> <span class=\"progress-note hint\"></span>";

std::string document_page(const std::string& title, const std::string& navigation, const std::string& body,
                          const std::string& head_extra = "", const std::string& script = "") {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n{}<title>{} · leitong 雷同</title>\n"
      "<style>{}{}</style>\n</head>\n<body>\n{}<main>\n{}\n<footer>leitong {} · 本页面不从网络加载任何内容</footer>\n"
      "</main>\n{}</body>\n</html>\n",
      head_extra, esc(title), html_report_style(), kServiceStyle, navigation, body, LEITONG_VERSION,
      script.empty() ? "" : "<script>" + script + "</script>\n");
}

std::string navigation(const Session& who) {
  std::string links;
  if (who.user.role == Role::kInspector)
    links = "<a href=\"/\">概览</a><a href=\"/checks\">检测</a><a href=\"/upload\">上传报告</a>"
            "<a href=\"/boilerplate\">样板文字</a><a href=\"/clusters\">雷同群组</a><a href=\"/users\">用户</a>";
  else
    links = "<a href=\"/checks\">检测报告</a>";
  return fmt::format(
      "<nav class=\"top\"><b>leitong 雷同</b>{}<span class=\"who\">{} · {}</span>"
      "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf_token\" value=\"{}\">"
      "<button type=\"submit\">退出</button></form></nav>\n",
      links, esc(who.user.name),
      who.user.role == Role::kInspector ? std::string("检查人员") : esc(who.user.agency), esc(who.csrf_token));
}

std::string csrf_field(const Session& who) {
  return fmt::format("<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">", esc(who.csrf_token));
}

std::string error_box(const std::string& error) {
  return error.empty() ? std::string() : fmt::format("<p class=\"error\" role=\"alert\">{}</p>\n", esc(error));
}

const char* job_state_label(const std::string& state) {
  if (state == "queued") return "排队中";
  if (state == "running") return "进行中";
  if (state == "done") return "已完成";
  if (state == "failed") return "失败";
  if (state == "interrupted") return "已中断";
  return "";
}

std::string jobs_table(const std::vector<JobProgress>& jobs) {
  if (jobs.empty()) return "<p class=\"hint\">还没有上传任务。</p>\n";
  std::string out = "<table id=\"jobs\"><thead><tr><th>时间</th><th>上传人</th><th>状态</th><th class=\"num\">进度</th>"
                    "<th class=\"num\">已加入</th><th class=\"num\">未加入</th><th></th></tr></thead><tbody>\n";
  for (const JobProgress& j : jobs)
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td><a href=\"/jobs/{}\">详情</a></td></tr>\n",
        local_time(j.created), esc(j.user), job_state_label(j.state), j.done, j.total, j.added, j.refused.size(),
        esc(j.id));
  return out + "</tbody></table>\n";
}

}  // namespace

std::string with_navigation(const Session& who, const std::string& page) {
  std::string out = page;
  const std::size_t head_end = out.find("</style>");
  if (head_end != std::string::npos) out.insert(head_end, kServiceStyle);
  const std::size_t body = out.find("<body>\n");
  if (body != std::string::npos) out.insert(body + 7, navigation(who));
  return out;
}

std::string page_check(const Session& who, const CheckRecord& record) {
  std::string out = with_navigation(who, record.evidence_html);
  const std::string actions =
      record.text.empty()
          ? std::string("<p class=\"hint\">这次检测早于 A4 检测报告功能；重新检测即可下载 PDF 报告。</p>\n")
          : fmt::format("<p class=\"actions\"><a id=\"report-pdf\" href=\"/api/v1/checks/{}/report.pdf\">下载 A4 检测报告"
                        "（PDF，可打印、盖章）</a></p>\n",
                        esc(record.id));
  const std::size_t header_end = out.find("</header>");
  if (header_end != std::string::npos) out.insert(header_end + 9, "\n" + actions);
  return out;
}

std::string page_login(const std::string& error, const std::string& name) {
  const std::string body = fmt::format(
      "<h1>登录 <small>leitong 雷同 · 文本复制检测</small></h1>\n{}"
      "<form class=\"box\" method=\"post\" action=\"/login\">"
      "<label>用户名<br><input type=\"text\" name=\"name\" autocomplete=\"username\" required value=\"{}\"></label>"
      "<label>密码<br><input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
      "<button type=\"submit\">登录</button></form>\n"
      "<p class=\"hint\">账户由检查人员创建。忘记密码请联系检查人员。</p>",
      error_box(error), esc(name));
  return document_page("登录", "", body);
}

std::string page_checks(const Session& who, const std::vector<CheckRecord>& checks, const std::string& error) {
  const bool inspector = who.user.role == Role::kInspector;
  std::string body = fmt::format(
      "<h1>检测报告 <small>{}</small></h1>\n<p class=\"hint\">上传报告草稿，检查其中有多少文字与本单位往年报告、"
      "其他单位报告或范文相同。草稿只做检测，不会加入档案库。</p>\n{}"
      "<form class=\"box\" id=\"check-form\" method=\"post\" action=\"/checks\" enctype=\"multipart/form-data\" "
      "data-progress>{}"
      "<label>报告文件（.docx .pdf .txt .html，GB18030 文本亦可）<br><input type=\"file\" name=\"file\" required></label>"
      "<label>年度（报告所述年份，文件标题写明时可不填）<br><input type=\"number\" name=\"year\" min=\"1900\" max=\"2200\"></label>"
      "{}<button type=\"submit\">开始检测</button> {}</form>\n",
      inspector ? std::string("检查人员可代任何单位检测") : esc(who.user.agency), error_box(error), csrf_field(who),
      inspector ? "<label>单位（文件写明时可不填）<br><input type=\"text\" name=\"agency\"></label>" : "", kProgressBar);
  body += "<h2>历次检测</h2>\n";
  if (checks.empty()) {
    body += "<p class=\"hint\">还没有检测记录。</p>\n";
  } else {
    body += "<table id=\"checks\"><thead><tr><th>时间</th><th>文件</th><th>单位</th><th class=\"num\">年度</th>"
            "<th class=\"num\">总复制比</th><th class=\"num\">去除样板后</th><th>检测人</th><th></th></tr></thead><tbody>\n";
    for (const CheckRecord& c : checks)
      body += fmt::format(
          "<tr><td>{}</td><td><a href=\"/checks/{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td><a href=\"/checks/{}\">查看证据</a></td>"
          "</tr>\n",
          local_time(c.created), esc(c.id), esc(c.file), esc(c.agency), c.year, pct(c.copy_ratio),
          pct(c.copy_ratio_excluding_boilerplate), esc(c.user), esc(c.id));
    body += "</tbody></table>\n";
  }
  return document_page("检测报告", navigation(who), body, "", kUploadProgressScript);
}

std::string page_dashboard(const Session& who, const nlohmann::json& stats, const std::vector<int>& years,
                           const std::vector<JobProgress>& jobs) {
  auto number = [&](const char* key) { return stats.value(key, nlohmann::json(0)).dump(); };
  std::string body = fmt::format(
      "<h1>档案库概览</h1>\n<div class=\"cards\">"
      "<div class=\"card\"><div class=\"label\">文档</div><div class=\"value\" id=\"documents\">{}</div></div>"
      "<div class=\"card\"><div class=\"label\">报告</div><div class=\"value\">{}</div></div>"
      "<div class=\"card\"><div class=\"label\">范文模板</div><div class=\"value\">{}</div></div>"
      "<div class=\"card\"><div class=\"label\">单位</div><div class=\"value\">{}</div></div>"
      "<div class=\"card\"><div class=\"label\">年份</div><div class=\"value\">{}–{}</div></div></div>\n",
      number("documents"), number("reports"), number("templates"), number("agencies"), number("first_year"),
      number("last_year"));
  body += "<h2>逐年雷同检查</h2>\n<p class=\"hint\">每份报告与本单位上一年度报告比较，按去除样板后的复制比排序。"
          "首次打开某一年份需要逐份检测，可能要几分钟。</p>\n<p id=\"years\">";
  for (int y : years) body += fmt::format("<a class=\"tag\" href=\"/yoy?year={0}\">{0} 年</a> ", y);
  if (years.empty()) body += "档案库中还没有报告。";
  body += "</p>\n<h2>最近的上传</h2>\n" + jobs_table(jobs);
  return document_page("概览", navigation(who), body);
}

std::string page_upload(const Session& who, const std::vector<JobProgress>& jobs, const std::string& error) {
  std::string body = fmt::format(
      "<h1>上传报告到档案库</h1>\n<p class=\"hint\">可一次选择多个文件，或上传一个 zip 压缩包。无法读取的文件会逐个列出原因，"
      "其余文件照常加入。单位和年度不填时，取自文件本身（网页页头、标题或落款）。</p>\n{}"
      "<form class=\"box\" id=\"upload-form\" method=\"post\" action=\"/upload\" enctype=\"multipart/form-data\" "
      "data-progress>{}"
      "<label>文件或 zip<br><input type=\"file\" name=\"files\" multiple required></label>"
      "<label>单位（可不填）<br><input type=\"text\" name=\"agency\"></label>"
      "<label>年度（可不填）<br><input type=\"number\" name=\"year\" min=\"1900\" max=\"2200\"></label>"
      "<label>类型<br><select name=\"kind\"><option value=\"report\">年度报告</option>"
      "<option value=\"template\">范文模板</option></select></label>"
      "<button type=\"submit\">上传</button> {}</form>\n<h2>上传任务</h2>\n{}",
      error_box(error), csrf_field(who), kProgressBar, jobs_table(jobs));
  return document_page("上传报告", navigation(who), body, "", kUploadProgressScript);
}

std::string page_job(const Session& who, const JobProgress& job) {
  const bool running = job.state == "queued" || job.state == "running";
  std::string body = fmt::format(
      "<h1>上传任务 <small>{}</small></h1>\n<dl class=\"doc\"><dt>状态</dt><dd id=\"state\" data-state=\"{}\">{}</dd>"
      "<dt>上传人</dt><dd>{}</dd><dt>开始</dt><dd>{}</dd><dt>进度</dt><dd><progress max=\"{}\" value=\"{}\"></progress> "
      "{}/{}</dd><dt>已加入档案库</dt><dd id=\"added\">{}</dd><dt>档案库已有</dt><dd>{}</dd>"
      "<dt>未加入</dt><dd id=\"refused-count\">{}</dd></dl>\n",
      esc(job.id), esc(job.state), job_state_label(job.state), esc(job.user), local_time(job.created),
      std::max<std::size_t>(job.total, 1), job.done, job.done, job.total, job.added, job.already_present,
      job.refused.size());
  if (!job.error.empty()) body += error_box("任务中止：" + job.error);
  for (const std::string& warning : job.warnings)
    body += fmt::format("<p class=\"warning\" role=\"status\">{}</p>\n", esc(warning));
  if (!job.refused.empty()) {
    body += "<h2>未加入的文件</h2>\n<table id=\"refused\"><thead><tr><th>文件</th><th>原因</th></tr></thead><tbody>\n";
    for (const JobRefusal& r : job.refused)
      body += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", esc(r.file), esc(r.reason));
    body += "</tbody></table>\n";
  }
  body += "<p><a href=\"/upload\">返回上传</a></p>";
  return document_page("上传任务", navigation(who), body,
                       running ? "<meta http-equiv=\"refresh\" content=\"2\">\n" : "");
}

std::string page_users(const Session& who, const std::vector<User>& users, const std::string& error) {
  std::string body = "<h1>用户</h1>\n" + error_box(error) +
                     "<table id=\"users\"><thead><tr><th>用户名</th><th>角色</th><th>单位</th><th>创建</th><th></th></tr>"
                     "</thead><tbody>\n";
  std::string options;
  for (const User& u : users) {
    body += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", esc(u.name),
                        u.role == Role::kInspector ? "检查人员" : "单位", esc(u.agency), local_time(u.created),
                        u.name == who.user.name
                            ? std::string()
                            : fmt::format("<a href=\"/users/remove?name={}\">删除…</a>", esc(url_encode(u.name))));
    options += fmt::format("<option value=\"{0}\">{0}</option>", esc(u.name));
  }
  body += fmt::format(
      "</tbody></table>\n<h2>新建用户</h2>\n<form class=\"box\" method=\"post\" action=\"/users\">{0}"
      "<label>用户名<br><input type=\"text\" name=\"name\" required></label>"
      "<label>角色<br><select name=\"role\"><option value=\"agency\">单位</option>"
      "<option value=\"inspector\">检查人员</option></select></label>"
      "<label>单位（单位用户必填，须与档案库中的名称一致）<br><input type=\"text\" name=\"agency\"></label>"
      "<label>初始密码（至少 10 个字符）<br><input type=\"password\" name=\"password\" autocomplete=\"new-password\" "
      "required></label><button type=\"submit\">创建</button></form>\n"
      "<h2>重设密码</h2>\n<form class=\"box\" method=\"post\" action=\"/users/password\">{0}"
      "<label>用户<br><select name=\"name\">{1}</select></label>"
      "<label>新密码（至少 10 个字符；该用户须重新登录）<br><input type=\"password\" name=\"password\" "
      "autocomplete=\"new-password\" required></label><button type=\"submit\">重设</button></form>\n",
      csrf_field(who), options);
  return document_page("用户", navigation(who), body);
}

std::string page_remove_user(const Session& who, const User& user) {
  const std::string body = fmt::format(
      "<h1>删除用户</h1>\n<p>确定删除{} <b>{}</b>{}？该用户将立即退出，不能再登录；其检测记录保留。</p>"
      "<form class=\"inline\" method=\"post\" action=\"/users/remove\">{}<input type=\"hidden\" name=\"name\" "
      "value=\"{}\"><button type=\"submit\">删除</button></form> <a href=\"/users\">取消</a>",
      user.role == Role::kInspector ? "检查人员" : "单位用户", esc(user.name),
      user.agency.empty() ? std::string() : "（" + esc(user.agency) + "）", csrf_field(who), esc(user.name));
  return document_page("删除用户", navigation(who), body);
}

std::string page_boilerplate(const Session& who, const nlohmann::json& boilerplate) {
  std::string body = fmt::format(
      "<h1>样板文字</h1>\n<p class=\"hint\">至少 {} 个单位的报告共有的文字：政治表述、规定标题等。检测时这些文字单独计为样板，"
      "不算抄袭。</p>\n<table id=\"boilerplate\"><thead><tr><th>文字</th><th class=\"num\">单位</th>"
      "<th class=\"num\">文档</th><th class=\"num\">年份</th><th>示例</th></tr></thead><tbody>\n",
      boilerplate.value("min_agencies", 0));
  for (const auto& p : boilerplate.value("passages", nlohmann::json::array())) {
    const auto& example = p.value("example", nlohmann::json::object());
    body += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                        "<td>{} {}</td></tr>\n",
                        esc(p.value("text", "")), p.value("agencies", 0), p.value("documents", 0), p.value("years", 0),
                        esc(example.value("agency", "")), example.value("year", 0));
  }
  body += "</tbody></table>\n";
  return document_page("样板文字", navigation(who), body);
}

std::string page_clusters(const Session& who, const nlohmann::json& clusters) {
  std::string body = "<h1>雷同群组</h1>\n<p class=\"hint\">同一年度内彼此高度相同的报告（一个模板，多个单位）。</p>\n";
  const auto& list = clusters.value("clusters", nlohmann::json::array());
  if (list.empty()) body += "<p class=\"hint\">没有发现雷同群组。</p>\n";
  int n = 0;
  for (const auto& c : list) {
    body += fmt::format("<h2>群组 {}：{} 份报告，{} 个单位，平均复制比 {}</h2>\n<ul>", ++n, c.value("size", 0),
                        c.value("agencies", 0), pct(c.value("mean_copy_ratio", 0.0)));
    for (const auto& m : c.value("members", nlohmann::json::array()))
      body += fmt::format("<li>{} {} <span class=\"hint\">{}</span></li>", esc(m.value("agency", "")), m.value("year", 0),
                          esc(m.value("file", "")));
    body += "</ul>\n";
  }
  return document_page("雷同群组", navigation(who), body);
}

std::string page_error(const Session* who, int status, const std::string& message) {
  const char* heading = status == 400   ? "请求有误"
                        : status == 401 ? "请先登录"
                        : status == 403 ? "无权访问"
                        : status == 404 ? "找不到该页面或记录"
                        : status == 413 ? "文件过大"
                        : status == 415 ? "无法读取该文件"
                        : status == 422 ? "信息不全"
                        : status == 429 ? "请稍后再试"
                                        : "出错了";
  const std::string body = fmt::format("<h1>{} <small>{}</small></h1>\n{}<p><a href=\"/\">返回首页</a></p>", heading,
                                       status, error_box(message));
  return document_page(fmt::format("错误 {}", status), who ? navigation(*who) : std::string(), body);
}

}  // namespace leitong
