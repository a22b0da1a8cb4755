#include <leitong/core/diff.h>
#include <leitong/core/text.h>
#include <leitong/render/html_report.h>
#include <leitong/render/report.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace leitong {

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Eight source colours (CNKI-like: distinct, light enough to read text on), then they repeat.
constexpr std::array<const char*, 8> kColours = {"#f4a7a7", "#a7c8f4", "#b5e3a1", "#f6d28b",
                                                  "#d3b5f0", "#8fe0d6", "#f7b6dc", "#c9d18a"};

std::string escape(std::string_view s) { return html_escape(s); }

std::string escape32(std::u32string_view s) { return escape(encode_utf8(s)); }

std::string pct(double r) { return fmt::format("{:.1f}%", 100.0 * r); }

std::string colour_of(std::size_t source) { return kColours[source % kColours.size()]; }

constexpr const char* kStyle = R"css(
:root { --ink:#1d2733; --muted:#5b6775; --line:#d8dee6; --boiler:#d9d9d9; --chg:#c0392b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.7 "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei",
       "PingFang SC",sans-serif; color: var(--ink); background: #f5f7fa; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; min-height: 100vh; }
h1 { font-size: 22px; margin: 0 0 4px; } h1 small { font-size: 13px; color: var(--muted); font-weight: normal; }
h2 { font-size: 17px; border-left: 4px solid #2f6db5; padding-left: 10px; margin: 34px 0 12px; }
dl.doc { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 14px; margin: 10px 0 0; color: var(--muted); }
dl.doc dt { font-weight: bold; } dl.doc dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 20px; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card .label { color: var(--muted); font-size: 13px; } .card .value { font-size: 26px; font-weight: bold; }
.card.main .value { color: #b3261e; font-size: 32px; }
.bar { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: #eef1f5; margin: 14px 0 4px; }
.bar span { display: block; height: 100%; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f7; white-space: nowrap; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-right: 6px; }
.fulltext { white-space: pre-wrap; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; }
.fulltext a.hl { color: inherit; text-decoration: none; border-radius: 2px; }
.fulltext a.hl.boilerplate { background: var(--boiler) !important; color: #555; }
.fulltext .self { text-decoration: underline dotted #7a4; text-underline-offset: 3px; }
article.pair { border: 1px solid var(--line); border-left: 6px solid var(--c); border-radius: 6px; margin: 12px 0;
               scroll-margin-top: 10px; }
article.pair.boilerplate { --c: #bbb; opacity: .85; }
article.pair > header { background: #f7f9fb; padding: 6px 12px; font-size: 13px; color: var(--muted); }
article.pair > header b { color: var(--ink); }
.cols { display: grid; grid-template-columns: 1fr 1fr; }
.cols > div { padding: 8px 12px; white-space: pre-wrap; } .cols > div + div { border-left: 1px dashed var(--line); }
.cols h4 { margin: 0 0 4px; font-size: 12px; color: var(--muted); font-weight: normal; }
mark.chg { background: none; color: var(--chg); font-weight: bold; text-decoration: underline wavy var(--chg); }
.tag { display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 9px; background: #e6ecf3; margin-left: 6px; }
.tag.flag { background: #fbe3e1; color: #b3261e; font-weight: bold; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
th[data-sort] { cursor: pointer; } th[data-sort]::after { content: " ⇅"; color: #99a; }
details.quiet summary { color: var(--muted); cursor: pointer; margin: 8px 0; }
svg text { font: 11px sans-serif; fill: #556; } svg#histogram { width: 100%; max-width: 760px; height: auto; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; }
@media (max-width: 700px) { main { padding: 14px 12px 40px; } .cols { grid-template-columns: 1fr; }
  .cols > div + div { border-left: 0; border-top: 1px dashed var(--line); } table { display: block; overflow-x: auto; } }
@page { size: A4; margin: 0; }
@media print {
  /* No page margin: browsers print their own header and footer (the file's path, the date) in it.
     The white space of every page is main's padding, repeated where the page breaks (clone). */
  body { background: #fff; font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; min-height: 0; padding: 15mm 16mm; -webkit-box-decoration-break: clone;
         box-decoration-break: clone; }
  h2 { break-after: avoid; } article.pair, .card, tr, svg { break-inside: avoid; }
  .filters, .actions, nav { display: none; } a { color: inherit; text-decoration: none; }
}
)css";

}  // namespace

std::string_view html_report_style() { return kStyle; }

namespace {

std::string page(const std::string& title, const std::string& body, const std::string& script = "") {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"leitong {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n"
      "<body>\n<main>\n{}\n<footer>leitong {} · 段落按抽取文本的非空行计，字符位置（Unicode 码位）见悬停提示与 JSON · "
      "本页面不从网络加载任何内容</footer>\n</main>\n{}</body>\n</html>\n",
      LEITONG_VERSION, escape(title), kStyle, body, LEITONG_VERSION,
      script.empty() ? "" : "<script>" + script + "</script>\n");
}

// The two sides of a passage with the characters outside their common subsequence marked.
std::pair<std::string, std::string> marked_pair(const std::string& left_utf8, const std::string& right_utf8) {
  const std::u32string a = decode_utf8(left_utf8, "passage"), b = decode_utf8(right_utf8, "source passage");
  std::vector<std::uint8_t> ca, cb;
  auto render = [](const std::u32string& s, const std::vector<std::uint8_t>& changed, bool marked) {
    std::string out;
    bool open = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const bool c = marked && changed[i] && !is_whitespace(s[i]);
      if (c && !open) out += "<mark class=\"chg\">", open = true;
      if (!c && open) out += "</mark>", open = false;
      out += escape32(std::u32string_view(&s[i], 1));
    }
    if (open) out += "</mark>";
    return out;
  };
  const bool ok = char_diff(a, b, ca, cb);
  return {render(a, ca, ok), render(b, cb, ok)};
}

}  // namespace

std::string render_check_html(const Findings& f) {
  std::string body;
  body += fmt::format("<header><h1>文本复制检测报告 <small>leitong 雷同</small></h1>\n<dl class=\"doc\">"
                      "<dt>文件</dt><dd id=\"doc-file\">{}</dd><dt>单位</dt><dd>{}</dd><dt>年份</dt><dd>{}</dd>"
                      "<dt>字数</dt><dd>{}（不含空白）</dd><dt>比对文档</dt><dd>{} 篇</dd>"
                      "<dt>参数</dt><dd>{} 字片段，最短片段 {} 字，样板：{} 个以上其他单位共用；规范化 {}</dd></dl>"
                      "</header>\n",
                      escape(f.document.file), escape(f.document.agency.empty() ? "-" : f.document.agency),
                      f.document.year ? std::to_string(f.document.year) : "-", f.chars, f.candidates_compared,
                      f.settings.shingle, f.settings.min_passage, f.settings.boilerplate_agencies,
                      escape(f.settings.normalization));

  // Summary cards and the composition bar.
  auto card = [&](const char* id, const char* label, double value, bool main) {
    return fmt::format("<div class=\"card{}\" id=\"{}\"><div class=\"label\">{}</div><div class=\"value\" "
                       "data-value=\"{:.4f}\">{}</div></div>",
                       main ? " main" : "", id, label, value, pct(value));
  };
  body += "<section class=\"cards\" id=\"summary\">";
  body += card("copy-ratio", "总复制比", f.copy_ratio, true);
  body += card("copy-ratio-excluding-boilerplate", "去除样板后复制比", f.copy_ratio_excluding_boilerplate, false);
  body += card("max-source-ratio", "单篇最大复制比", f.max_source_ratio, false);
  body += card("boilerplate-ratio", "样板（公文套语）", f.boilerplate_ratio, false);
  body += card("self-duplication-ratio", "自我重复", f.self_duplication_ratio, false);
  body += "</section>\n<div class=\"bar\" title=\"各来源所占比例\">";
  std::vector<std::size_t> per_source(f.sources.size(), 0);
  std::size_t boiler_chars = 0;
  for (const PassageFinding& p : f.passages) {
    if (!p.source) continue;
    if (p.boilerplate) boiler_chars += p.chars;
    else per_source[*p.source] += p.chars;
  }
  const double total = f.chars ? double(f.chars) : 1.0;
  for (std::size_t s = 0; s < per_source.size(); ++s)
    if (per_source[s])
      body += fmt::format("<span style=\"width:{:.3f}%;background:{}\"></span>", 100.0 * per_source[s] / total,
                          colour_of(s));
  if (boiler_chars)
    body += fmt::format("<span style=\"width:{:.3f}%;background:var(--boiler)\"></span>", 100.0 * boiler_chars / total);
  body += "</div>\n";

  // Sources.
  body += fmt::format("<h2>相似来源（{} 篇）</h2>\n", f.sources.size());
  if (f.sources.empty()) {
    body += fmt::format("<p>档案中没有文档与本报告共用 {} 字以上的片段。</p>\n", f.settings.min_passage);
  } else {
    // Sources that share passages first; the documents compared without a passage in common
    // follow folded away (they only tell which documents were looked at).
    const std::string head =
        "<thead><tr><th>#</th><th>关系</th><th>单位</th><th>年份</th><th>文件</th>"
        "<th class=\"num\">复制比</th><th class=\"num\">去除样板</th><th class=\"num\">片段</th>"
        "<th class=\"num\">Jaccard</th></tr></thead><tbody>\n";
    auto rows = [&](bool with_passages) {
      std::string out;
      for (std::size_t s = 0; s < f.sources.size(); ++s) {
        const SourceFinding& src = f.sources[s];
        if ((src.passages > 0) != with_passages) continue;
        out += fmt::format(
            "<tr class=\"source\" data-relation=\"{}\"><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
            "<td class=\"num\">{}</td><td class=\"num\">{:.2f}</td></tr>\n",
            relation_name(src.relation), colour_of(s), s + 1, relation_label(src.relation), escape(src.document.agency),
            src.document.year, escape(src.document.file), pct(src.copy_ratio),
            pct(src.copy_ratio_excluding_boilerplate), src.passages, src.jaccard);
      }
      return out;
    };
    std::size_t without = 0;
    for (const SourceFinding& src : f.sources) without += src.passages == 0;
    if (without < f.sources.size()) body += "<table id=\"sources\">" + head + rows(true) + "</tbody></table>\n";
    if (without)
      body += fmt::format(
          "<details class=\"quiet\"><summary>另有 {} 篇文档比较后没有 {} 字以上的相同片段</summary>"
          "<table id=\"sources-without-passages\">{}{}</tbody></table></details>\n",
          without, f.settings.min_passage, head, rows(false));
  }

  // Sections: what each part of the report copies (a 存在的不足 copied from last year is one row).
  if (f.sections.size() > 1 || !f.missing_parts.empty()) {
    body += fmt::format("<h2>分节（{} 节）</h2>\n<table id=\"sections\"><thead><tr><th>部分</th><th>标题</th>"
                        "<th class=\"num\">复制比</th><th class=\"num\">去除样板</th><th>主要来源</th></tr></thead><tbody>\n",
                        f.sections.size());
    for (const SectionFinding& s : f.sections) {
      std::string source = "-";
      if (s.max_source)
        source = fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{} {} 年（{}）",
                             colour_of(*s.max_source), escape(f.sources[*s.max_source].document.agency),
                             f.sources[*s.max_source].document.year, pct(s.max_source_ratio));
      body += fmt::format("<tr class=\"section\" data-kind=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td><td>{}</td></tr>\n",
                          section_kind_name(s.kind), section_kind_label(s.kind), escape(s.title), pct(s.copy_ratio),
                          pct(s.copy_ratio_excluding_boilerplate), source);
    }
    body += "</tbody></table>\n";
    if (!f.missing_parts.empty()) {
      std::string parts;
      for (const SectionKind k : f.missing_parts) parts += (parts.empty() ? "" : "、") + std::string(section_kind_label(k));
      body += fmt::format("<p id=\"missing-parts\">报告缺少的规定部分：{}</p>\n", parts);
    }
  }

  // The whole report, passages highlighted.
  const std::u32string text = decode_utf8(f.text, "report");
  std::vector<int> owner(text.size(), -1), self_owner(text.size(), -1);
  for (std::size_t i = 0; i < f.passages.size(); ++i) {
    const PassageFinding& p = f.passages[i];
    auto& target = p.source ? owner : self_owner;
    for (std::uint32_t k = p.start; k < p.end && k < text.size(); ++k) target[k] = static_cast<int>(i);
  }
  body += "<h2>全文标注</h2>\n<div class=\"fulltext\" id=\"fulltext\">";
  for (std::size_t k = 0; k < text.size();) {
    std::size_t e = k + 1;
    while (e < text.size() && owner[e] == owner[k] && self_owner[e] == self_owner[k]) ++e;
    const std::string chunk = escape32(std::u32string_view(text).substr(k, e - k));
    std::string inner = self_owner[k] >= 0 ? fmt::format("<span class=\"self\" title=\"自我重复\">{}</span>", chunk) : chunk;
    if (owner[k] >= 0) {
      const PassageFinding& p = f.passages[static_cast<std::size_t>(owner[k])];
      body += fmt::format("<a class=\"hl{}\" href=\"#p{}\" data-passage=\"{}\" style=\"background:{}\">{}</a>",
                          p.boilerplate ? " boilerplate" : "", owner[k], owner[k], colour_of(*p.source), inner);
    } else {
      body += inner;
    }
    k = e;
  }
  body += "</div>\n";

  // Side by side.
  body += fmt::format("<h2>片段对照（{} 段）</h2>\n", f.passages.size());
  std::vector<SectionSpan> spans;
  for (const SectionFinding& s : f.sections) spans.push_back({s.start, s.end, s.title});
  for (std::size_t i = 0; i < f.passages.size(); ++i) {
    const PassageFinding& p = f.passages[i];
    const auto [left, right] = marked_pair(p.text, p.source_text);
    std::string where, colour;
    if (p.source) {
      const SourceFinding& src = f.sources[*p.source];
      where = fmt::format("来源 #{} {}（{} {}，{}）", *p.source + 1, relation_label(src.relation),
                          escape(src.document.agency), src.document.year, escape(src.document.file));
      colour = colour_of(*p.source);
    } else {
      where = "本报告前文（自我重复）";
      colour = "#7a4";
    }
    // Where a reader finds it (section and paragraph); the offsets of the JSON as a tooltip.
    const std::string location = escape(passage_location(text, spans, p.start));
    body += fmt::format(
        "<article class=\"pair{}\" id=\"p{}\" data-source=\"{}\" data-start=\"{}\" data-end=\"{}\" "
        "style=\"--c:{}\"><header><b>片段 {}</b> · <span class=\"where\" title=\"字符位置 [{}, {})\">{}</span> · {} 字 · "
        "{} · 相似度 {:.2f}{}</header>\n<div class=\"cols\"><div class=\"left\"><h4 title=\"字符位置 [{}, {})\">本报告 · "
        "{}</h4>{}</div><div class=\"right\"><h4 title=\"字符位置 [{}, {})\">来源</h4>{}</div></div></article>\n",
        p.boilerplate ? " boilerplate" : "", i, p.source ? std::to_string(*p.source) : std::string("self"), p.start,
        p.end, colour, i + 1, p.start, p.end, location, p.chars, where, p.similarity,
        p.boilerplate ? "<span class=\"tag\">样板</span>" : "", p.start, p.end, location, left,
        p.source_start, p.source_end, right);
  }
  return page("雷同检测 — " + f.document.file, body);
}

std::string render_yoy_html(const YoyResult& r, const std::function<std::string(std::size_t)>& evidence_href) {
  std::size_t flagged = 0;
  for (const YoyRow& row : r.rows) flagged += row.flagged;
  std::string body = fmt::format(
      "<header><h1>逐年雷同检查 <small>leitong 雷同 · year over year</small></h1>\n<dl class=\"doc\"><dt>比较</dt>"
      "<dd>{} 份报告与本单位上一年度报告比较</dd><dt>标记</dt><dd id=\"flagged-count\">{} 份（去除样板后复制比 ≥ {}）</dd>"
      "</dl></header>\n",
      r.rows.size(), flagged, pct(r.threshold));

  // Histogram of copy_ratio_excluding_boilerplate in 5 % bins, with the threshold.
  constexpr int kBins = 20;
  std::array<int, kBins> bins{};
  for (const YoyRow& row : r.rows)
    ++bins[static_cast<std::size_t>(std::min(kBins - 1, int(row.copy_ratio_excluding_boilerplate * kBins)))];
  const int peak = std::max(1, *std::max_element(bins.begin(), bins.end()));
  const int w = 760, h = 190, left = 40, bottom = 30, bar = (w - left - 10) / kBins;
  body += "<h2>分布（去除样板后复制比）</h2>\n";
  body += fmt::format("<svg id=\"histogram\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">", w, h, w, h);
  for (int b = 0; b < kBins; ++b) {
    const int bh = bins[static_cast<std::size_t>(b)] * (h - bottom - 20) / peak;
    const bool over = (b + 1) * 1.0 / kBins > r.threshold;
    body += fmt::format("<rect class=\"bin\" data-count=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
                        "<title>{}–{}%: {}</title></rect>",
                        bins[static_cast<std::size_t>(b)], left + b * bar + 1, h - bottom - bh, bar - 2, bh,
                        over ? "#d9534f" : "#6f9fd8", b * 5, b * 5 + 5, bins[static_cast<std::size_t>(b)]);
    if (bins[static_cast<std::size_t>(b)])
      body += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", left + b * bar + bar / 2,
                          h - bottom - bh - 4, bins[static_cast<std::size_t>(b)]);
  }
  for (int t = 0; t <= 100; t += 20)
    body += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}%</text>", left + t * bar * kBins / 100,
                        h - bottom + 16, t);
  const int tx = left + static_cast<int>(r.threshold * bar * kBins);
  body += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"10\" y2=\"{1}\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/>"
                      "<text x=\"{2}\" y=\"20\">阈值 {3}</text></svg>\n",
                      tx, h - bottom, tx + 4, pct(r.threshold));

  body += "<h2>明细（点击表头排序）</h2>\n<p class=\"filters\"><label><input type=\"checkbox\" id=\"only-flagged\"> "
          "只看标记的</label> <label>单位 <input type=\"search\" id=\"agency-filter\" placeholder=\"输入单位名称\">"
          "</label> <span id=\"shown-count\"></span></p>\n<table id=\"yoy\"><thead><tr><th data-sort=\"text\">标记</th>"
          "<th data-sort=\"text\">单位</th><th data-sort=\"num\" class=\"num\">年份</th><th data-sort=\"num\" "
          "class=\"num\">对比年份</th><th data-sort=\"num\" class=\"num\">复制比</th><th data-sort=\"num\" class=\"num\">"
          "去除样板后</th><th data-sort=\"text\">单篇最大来源</th><th>证据</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const YoyRow& row = r.rows[i];
    std::string most = "-";
    if (row.max_source)
      most = fmt::format("{} {}（{}，{}）", escape(row.max_source->document.agency), row.max_source->document.year,
                         relation_label(row.max_source->relation), pct(row.max_source->copy_ratio));
    // Sections copied from the prior year (a 存在的不足 copied in an otherwise new report).
    std::string copied;
    for (const SectionFinding* s : copied_sections(row, r.threshold))
      copied += fmt::format("{}{} {}", copied.empty() ? "" : "，",
                            escape(section_reference(row, *s, true)),
                            pct(s->copy_ratio_excluding_boilerplate));
    if (!copied.empty())
      most += fmt::format("<br><small class=\"copied-sections\">沿用{}年的部分：{}</small>", row.prior.year, copied);
    const std::string href = evidence_href ? evidence_href(i) : std::string();
    body += fmt::format(
        "<tr class=\"row{}\"><td data-value=\"{}\">{}</td><td>{}</td><td class=\"num\" data-value=\"{}\">{}</td>"
        "<td class=\"num\" data-value=\"{}\">{}</td><td class=\"num\" data-value=\"{:.4f}\">{}</td>"
        "<td class=\"num\" data-value=\"{:.4f}\">{}</td><td>{}</td><td>{}</td></tr>\n",
        row.flagged ? " flagged" : "", row.flagged ? 1 : 0, row.flagged ? "<span class=\"tag flag\">雷同</span>" : "",
        escape(row.report.agency), row.report.year, row.report.year, row.prior.year, row.prior.year, row.copy_ratio,
        pct(row.copy_ratio), row.copy_ratio_excluding_boilerplate, pct(row.copy_ratio_excluding_boilerplate), most,
        href.empty() ? std::string("-") : fmt::format("<a class=\"evidence\" href=\"{}\">查看</a>", escape(href)));
  }
  body += "</tbody></table>\n";
  const char* script = R"js(
document.querySelectorAll('th[data-sort]').forEach(function (th, column) {
  var ascending = false;
  th.addEventListener('click', function () {
    var tbody = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var numeric = th.dataset.sort === 'num';
    ascending = !ascending;
    rows.sort(function (a, b) {
      var x = a.cells[column], y = b.cells[column];
      var u = numeric || x.dataset.value ? parseFloat(x.dataset.value || x.textContent) : x.textContent;
      var v = numeric || y.dataset.value ? parseFloat(y.dataset.value || y.textContent) : y.textContent;
      var c = typeof u === 'number' ? u - v : String(u).localeCompare(String(v), 'zh');
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  });
});
var onlyFlagged = document.getElementById('only-flagged'), agencyFilter = document.getElementById('agency-filter');
function applyFilters() {
  var wanted = agencyFilter.value.trim(), shown = 0, rows = document.querySelectorAll('#yoy tbody tr');
  rows.forEach(function (row) {
    var show = (!onlyFlagged.checked || row.classList.contains('flagged')) &&
               (!wanted || row.cells[1].textContent.indexOf(wanted) >= 0);
    row.hidden = !show;
    shown += show ? 1 : 0;
  });
  document.getElementById('shown-count').textContent = '显示 ' + shown + ' / ' + rows.length + ' 行';
}
onlyFlagged.addEventListener('change', applyFilters);
agencyFilter.addEventListener('input', applyFilters);
applyFilters();
)js";
  return page("逐年雷同检查", body, script);
}

}  // namespace leitong
