#include <leitong/core/text.h>
#include <leitong/extract/chrome.h>

#include <algorithm>
#include <array>

#include "detail/u32.h"

namespace leitong {

namespace {

using detail::contains;
using detail::ends_with;
using detail::is_colon;
using detail::is_sentence_end;
using detail::starts_with;
using detail::trim;

// Strong: a line starting with this field is chrome anywhere. Weak: only in the leading and
// trailing runs of the text (a report may well contain "时间:2024年3月"). Footer: likewise.
enum class Strength { kStrong, kWeak, kFooter };

struct Key {
  std::u32string_view name;
  Strength strength;
};

// Longest names first where one is a prefix of another (信息分类名称 before 信息分类).
constexpr Key kKeys[] = {
    {U"信息分类名称", Strength::kStrong},
    {U"服务对象分类", Strength::kStrong},
    {U"政府网站标识码", Strength::kStrong},
    {U"网站标识码", Strength::kStrong},
    {U"信息索引号", Strength::kStrong},
    {U"索引号", Strength::kStrong},
    {U"发布机构", Strength::kStrong},
    {U"发文机关", Strength::kStrong},
    {U"发文单位", Strength::kStrong},
    {U"发布单位", Strength::kStrong},
    {U"所属机构", Strength::kStrong},
    {U"信息分类", Strength::kStrong},
    {U"主题分类", Strength::kStrong},
    {U"体裁分类", Strength::kStrong},
    {U"组配分类", Strength::kStrong},
    {U"所属主题", Strength::kStrong},
    {U"主题词", Strength::kStrong},
    {U"发文字号", Strength::kStrong},
    {U"文件编号", Strength::kStrong},
    {U"统一编码", Strength::kStrong},
    {U"文章标题", Strength::kStrong},
    {U"生成日期", Strength::kStrong},
    {U"成文日期", Strength::kStrong},
    {U"发布日期", Strength::kStrong},
    {U"发文日期", Strength::kStrong},
    {U"公开日期", Strength::kStrong},
    {U"印发日期", Strength::kStrong},
    {U"发布时间", Strength::kStrong},
    {U"更新时间", Strength::kStrong},
    {U"公开方式", Strength::kStrong},
    {U"公开范围", Strength::kStrong},
    {U"公开时限", Strength::kStrong},
    {U"公开形式", Strength::kStrong},
    {U"信息来源", Strength::kStrong},
    {U"文章来源", Strength::kStrong},
    {U"责任编辑", Strength::kStrong},
    {U"浏览次数", Strength::kStrong},
    {U"阅读次数", Strength::kStrong},
    {U"访问次数", Strength::kStrong},
    {U"点击数", Strength::kStrong},
    {U"阅读量", Strength::kStrong},
    {U"浏览量", Strength::kStrong},
    {U"有效性", Strength::kStrong},
    {U"主办单位", Strength::kFooter},
    {U"承办单位", Strength::kFooter},
    {U"协办单位", Strength::kFooter},
    {U"技术支持", Strength::kFooter},
    {U"邮政编码", Strength::kFooter},
    {U"联系地址", Strength::kFooter},
    {U"联系电话", Strength::kFooter},
    {U"电子邮箱", Strength::kFooter},
    {U"主办", Strength::kFooter},
    {U"承办", Strength::kFooter},
    {U"协办", Strength::kFooter},
    {U"维护", Strength::kFooter},
    {U"邮编", Strength::kFooter},
    {U"地址", Strength::kFooter},
    {U"电话", Strength::kFooter},
    {U"传真", Strength::kFooter},
    {U"邮箱", Strength::kFooter},
    {U"文号", Strength::kWeak},
    {U"名称", Strength::kWeak},
    {U"标题", Strength::kWeak},
    {U"日期", Strength::kWeak},
    {U"时间", Strength::kWeak},
    {U"来源", Strength::kWeak},
    {U"作者", Strength::kWeak},
    {U"编辑", Strength::kWeak},
    {U"发布者", Strength::kWeak},
    {U"字号", Strength::kWeak},
    {U"字体", Strength::kWeak},
    {U"关键词", Strength::kWeak},
};

// Words that make up navigation and button lines (a line made only of these is chrome).
constexpr std::u32string_view kNavWords[] = {
    U"首页",
    U"分享",
    U"分享到",
    U"分享文章到",
    U"分享至",
    U"微信",
    U"微博",
    U"新浪微博",
    U"腾讯微博",
    U"QQ",
    U"QQ空间",
    U"qq",
    U"qq空间",
    U"打印",
    U"打印本页",
    U"打印此页",
    U"打印文章",
    U"打印正文",
    U"关闭",
    U"关闭窗口",
    U"关闭本页",
    U"返回",
    U"返回顶部",
    U"返回首页",
    U"返回列表",
    U"顶部",
    U"收藏",
    U"收藏本页",
    U"加入收藏",
    U"字号",
    U"字体",
    U"大",
    U"中",
    U"小",
    U"默认",
    U"放大",
    U"缩小",
    U"文件下载",
    U"附件下载",
    U"下载",
    U"下载docx",
    U"下载doc",
    U"下载pdf",
    U"下载文档",
    U"下载本文",
    U"点击下载",
    U"相关文档",
    U"相关文章",
    U"相关阅读",
    U"相关链接",
    U"相关新闻",
    U"相关信息",
    U"相关稿件",
    U"相关推荐",
    U"推荐阅读",
    U"延伸阅读",
    U"热点推荐",
    U"猜你喜欢",
    U"政策文件",
    U"政策解读",
    U"图解",
    U"解读",
    U"上一篇",
    U"下一篇",
    U"网站地图",
    U"联系我们",
    U"无障碍",
    U"无障碍浏览",
    U"长者模式",
    U"关怀版",
    U"繁体",
    U"简体",
    U"繁體",
    U"English",
    U"登录",
    U"注册",
    U"搜索",
    U"扫一扫",
    U"扫一扫在手机打开当前页",
    U"扫一扫在手机上查看当前页面",
    U"手机版",
    U"用手机扫描二维码",
    U"推荐度",
    U"将本文的Word文档下载到电脑",
    U"将本文的word文档下载到电脑",
    U"我要纠错",
    U"纠错",
    U"视力保护色",
    U"更多",
    U"更多>>",
    U"阅读全文",
    U"全文",
    U"分享文章",
};

// Lines that open a list of other articles: everything after the last of them is chrome when it
// holds no sentence.
constexpr std::u32string_view kRelatedMarkers[] = {
    U"相关文档", U"相关文章", U"相关阅读", U"相关链接", U"相关新闻", U"相关信息",   U"相关稿件",
    U"相关推荐", U"推荐阅读", U"延伸阅读", U"热点推荐", U"猜你喜欢", U"分享文章到", U"分享到",
};

constexpr std::u32string_view kStrongPrefixes[] = {
    U"当前位置",
    U"您当前的位置",
    U"您现在的位置",
    U"您的位置",
    U"所在位置",
    U"上一篇",
    U"下一篇",
    U"分享到",
    U"分享文章到",
    U"分享至",
    U"推荐度",
    U"将本文的Word文档下载到电脑",
    U"将本文的word文档下载到电脑",
};

constexpr std::u32string_view kStrongMarks[] = {
    U"ICP备",    U"ICP证",     U"icp备",     U"公网安备",  U"网站标识码",
    U"版权所有", U"Copyright", U"copyright", U"COPYRIGHT", U"©",
};

inline bool is_separator(char32_t c) {
  return is_whitespace(c) || c == U'|' || c == U'｜' || c == U'/' || c == U'·' || c == U'•' ||
         c == U'【' || c == U'】' || c == U'[' || c == U']' || c == U'「' || c == U'」' ||
         is_colon(c) || c == U'>' || c == U'＞' || c == U'»' || c == U'›' || c == U'→';
}

// If a field name starts at `pos` (whitespace inside the name allowed: "索 引 号") and is followed
// by a colon, returns the position after the colon; else npos. `key` receives the field.
std::size_t match_key(std::u32string_view line, std::size_t pos, const Key*& key) {
  if (pos > 0) {
    const char32_t prev = line[pos - 1];
    if (is_cjk(prev)) return std::u32string_view::npos;  // 资金来源: is not a 来源 field
  }
  for (const Key& k : kKeys) {
    std::size_t i = pos;
    bool ok = true;
    for (std::size_t j = 0; j < k.name.size(); ++j) {
      if (j > 0)
        while (i < line.size() && (line[i] == U' ' || line[i] == U'\u3000')) ++i;
      if (i >= line.size() || line[i] != k.name[j]) {
        ok = false;
        break;
      }
      ++i;
    }
    if (!ok) continue;
    while (i < line.size() && is_whitespace(line[i])) ++i;
    if (i < line.size() && is_colon(line[i])) {
      key = &k;
      return i + 1;
    }
  }
  return std::u32string_view::npos;
}

struct FieldAt {
  std::size_t start, value_start;
  const Key* key;
};

std::vector<FieldAt> find_fields(std::u32string_view line) {
  std::vector<FieldAt> out;
  for (std::size_t pos = 0; pos < line.size(); ++pos) {
    const Key* key = nullptr;
    const std::size_t after = match_key(line, pos, key);
    if (after == std::u32string_view::npos) continue;
    out.push_back({pos, after, key});
    pos = after - 1;
  }
  return out;
}

std::u32string_view trim_value(std::u32string_view v) {
  auto junk = [](char32_t c) {
    return is_whitespace(c) || c == U'|' || c == U'｜' || c == U'【' || c == U'】' || c == U'[' ||
           c == U']';
  };
  while (!v.empty() && junk(v.front())) v.remove_prefix(1);
  while (!v.empty() && junk(v.back())) v.remove_suffix(1);
  return v;
}

// A numeric date, alone, with an optional time: 2023-03-15, 2023/3/5, 2023.03.15 21:00:23.
bool is_numeric_date(std::u32string_view t) {
  std::size_t i = 0;
  auto digits = [&](std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (i < t.size() && detail::digit_value(t[i]) >= 0 && n < max) ++i, ++n;
    return n >= min;
  };
  if (!digits(4, 4)) return false;
  const char32_t sep = i < t.size() ? t[i] : 0;
  if (sep != U'-' && sep != U'/' && sep != U'.') return false;
  ++i;
  if (!digits(1, 2)) return false;
  if (i >= t.size() || t[i] != sep) return false;
  ++i;
  if (!digits(1, 2)) return false;
  while (i < t.size() && is_whitespace(t[i])) ++i;
  if (i == t.size()) return true;
  if (!digits(1, 2) || i >= t.size() || !is_colon(t[i])) return false;
  ++i;
  if (!digits(2, 2)) return false;
  if (i < t.size() && is_colon(t[i])) {
    ++i;
    if (!digits(2, 2)) return false;
  }
  return i == t.size();
}

bool all_nav_words(std::u32string_view t) {
  std::size_t words = 0;
  for (std::size_t i = 0; i < t.size();) {
    while (i < t.size() && is_separator(t[i])) ++i;
    std::size_t j = i;
    while (j < t.size() && !is_separator(t[j])) ++j;
    if (j == i) break;
    const std::u32string_view word = t.substr(i, j - i);
    if (std::find(std::begin(kNavWords), std::end(kNavWords), word) == std::end(kNavWords))
      return false;
    ++words;
    i = j;
  }
  return words > 0;
}

bool is_related_marker(std::u32string_view t) {
  for (std::u32string_view m : kRelatedMarkers)
    if (starts_with(t, m) && t.size() <= m.size() + 2) return true;
  return false;
}

// Fields whose every value is a placeholder to fill in ("联系电话：……", "经办人：×××", "地址：____"):
// a form printed in a law or a notice, not a portal's footer, which gives real values.
bool is_form_blank(std::u32string_view t, const std::vector<FieldAt>& fields) {
  if (fields.empty()) return false;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t end = i + 1 < fields.size() ? fields[i + 1].start : t.size();
    const std::u32string_view value = trim_value(t.substr(fields[i].value_start, end - fields[i].value_start));
    if (value.empty()) return false;
    for (char32_t c : value)
      if (!(c == U'…' || c == U'⋯' || c == U'×' || c == U'╳' || c == U'_' || c == U'＿' || c == U'*' ||
            c == U'＊' || c == U'○' || c == U'□' || c == U'　' || c == U' ' || c == U'.' || c == U'—'))
        return false;
  }
  return true;
}

enum class Kind { kBlank, kBody, kStrong, kEdge };

constexpr std::size_t kMaxChromeLine = 200;  // longer lines are never chrome
constexpr std::size_t kShortLine = 60;       // longer lines are body text

Kind classify(std::u32string_view line) {
  const std::u32string_view t = trim(line);
  if (t.empty()) return Kind::kBlank;
  if (t.size() > kMaxChromeLine) return Kind::kBody;
  if (is_numeric_date(t)) return Kind::kStrong;
  if (all_nav_words(t)) return Kind::kStrong;
  if (t.back() == U'。') return Kind::kBody;
  for (std::u32string_view p : kStrongPrefixes)
    if (starts_with(t, p)) return Kind::kStrong;
  if (starts_with(t, U"首页") &&
      (contains(t, U">") || contains(t, U"＞") || contains(t, U"»") || contains(t, U"→")))
    return Kind::kStrong;  // a breadcrumb
  // A footer is a list of fields; prose that happens to say 版权所有 ("对于版权所有，一方转让…")
  // has commas (full- or half-width) and runs long, or has commas and a Chinese sentence inside
  // (not an ASCII full stop: footers hold domain names such as www.example.gov.cn).
  const bool commas = contains(t, U"，") || contains(t, U",");
  const bool sentence_inside = std::any_of(t.begin(), t.end() - 1, [](char32_t c) {
    return c == U'。' || c == U'！' || c == U'？' || c == U'；';
  });
  const bool prose = commas && (t.size() > kShortLine || sentence_inside);
  for (std::u32string_view m : kStrongMarks)
    if (contains(t, m) && !prose) return Kind::kStrong;
  std::size_t start = 0;
  while (start < t.size() && (t[start] == U'【' || t[start] == U'[')) ++start;
  const Key* key = nullptr;
  if (match_key(t, start, key) == std::u32string_view::npos) return Kind::kBody;
  if (key->strength == Strength::kStrong) return Kind::kStrong;
  const std::vector<FieldAt> fields = find_fields(t);
  if (is_form_blank(t, fields)) return Kind::kBody;
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    bool seen = false;
    for (std::size_t j = 0; j < i; ++j) seen |= fields[j].key == fields[i].key;
    distinct += !seen;
  }
  return distinct >= 2 ? Kind::kStrong : Kind::kEdge;
}

// Body text that marks where the report proper starts or ends: a long line or a sentence.
bool is_long_body(Kind kind, std::u32string_view line) {
  if (kind != Kind::kBody) return false;
  const std::u32string_view t = trim(line);
  return t.size() > kShortLine || is_sentence_end(t.back());
}

}  // namespace

std::vector<MetadataField> header_fields(std::u32string_view line) {
  std::vector<MetadataField> out;
  const std::vector<FieldAt> fields = find_fields(line);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t end = i + 1 < fields.size() ? fields[i + 1].start : line.size();
    const std::u32string_view value =
        trim_value(line.substr(fields[i].value_start, end - fields[i].value_start));
    out.push_back({encode_utf8(fields[i].key->name), encode_utf8(value)});
  }
  return out;
}

bool is_chrome_line(std::u32string_view line) { return classify(line) == Kind::kStrong; }

namespace {

struct Line {
  std::size_t begin, end;  // [begin, end) without the '\n'
  Kind kind;
  bool edge_zone;  // before the first paragraph or after the last (every line when there is none)
};

// The lines of `text`, classified, each marked whether it stands in the leading or trailing run.
std::vector<Line> split_lines(std::u32string_view text) {
  std::vector<Line> lines;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t nl = text.find(U'\n', pos);
    if (nl == std::u32string_view::npos) nl = text.size();
    lines.push_back({pos, nl, classify(text.substr(pos, nl - pos)), false});
    pos = nl + 1;
  }
  std::size_t first_body = lines.size(), last_body = 0;
  bool any_body = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (is_long_body(lines[i].kind, text.substr(lines[i].begin, lines[i].end - lines[i].begin))) {
      if (!any_body) first_body = i;
      last_body = i;
      any_body = true;
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) lines[i].edge_zone = !any_body || i < first_body || i > last_body;
  return lines;
}

// `text` without the lines marked in `remove` (trimmed into `out.removed`).
ChromeResult without(std::u32string_view text, const std::vector<Line>& lines, const std::vector<std::uint8_t>& remove) {
  ChromeResult out;
  out.text.reserve(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::u32string_view l = text.substr(lines[i].begin, lines[i].end - lines[i].begin);
    if (remove[i]) {
      out.removed.emplace_back(trim(l));
      continue;
    }
    out.text.append(l);
    if (lines[i].end < text.size()) out.text.push_back(U'\n');
  }
  return out;
}

}  // namespace

// A heading of the report (一、 （一） 1. 第一部分), or a line that ends a sentence or opens a list
// (各区县人民政府，市政府各部门：): report text, however many pages of a site begin with it (a
// mandated first heading must stay for the report's sections to be found).
bool is_report_line(std::u32string_view t) {
  static constexpr std::u32string_view kNumerals = U"一二三四五六七八九十";
  if (is_sentence_end(t.back()) || is_colon(t.back())) return true;
  std::size_t i = 0;
  if (t[0] == U'（' || t[0] == U'(') ++i;
  const std::size_t start = i;
  while (i < t.size() && (kNumerals.find(t[i]) != std::u32string_view::npos || detail::digit_value(t[i]) >= 0)) ++i;
  if (i == start) return t[0] == U'第';
  return i < t.size() && (t[i] == U'、' || t[i] == U'.' || t[i] == U'．' || t[i] == U'）' || t[i] == U')');
}

void SiteChrome::learn(std::u32string_view text) {
  ++pages_;
  std::vector<std::u32string_view> seen;
  for (const Line& l : split_lines(text)) {
    const std::u32string_view t = trim(text.substr(l.begin, l.end - l.begin));
    if (!l.edge_zone || t.empty() || is_report_line(t)) continue;
    if (std::find(seen.begin(), seen.end(), t) != seen.end()) continue;
    seen.push_back(t);
    ++counts_[std::u32string(t)];
  }
}

bool SiteChrome::is_site_chrome(std::u32string_view trimmed) const {
  const auto it = counts_.find(std::u32string(trimmed));
  return it != counts_.end() && it->second >= min_pages_ && it->second * 2 >= pages_;
}

ChromeResult SiteChrome::strip(std::u32string_view text) const {
  const std::vector<Line> lines = split_lines(text);
  std::vector<std::uint8_t> remove(lines.size(), 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::u32string_view t = trim(text.substr(lines[i].begin, lines[i].end - lines[i].begin));
    remove[i] = lines[i].edge_zone && !t.empty() && !is_report_line(t) && is_site_chrome(t);
  }
  return without(text, lines, remove);
}

ChromeResult strip_chrome(std::u32string_view text, DocumentMetadata& metadata) {
  const std::vector<Line> lines = split_lines(text);
  auto line_text = [&](const Line& l) { return text.substr(l.begin, l.end - l.begin); };
  // Chrome surrounds the report: only the lines before its first paragraph and after its last are
  // candidates. A line between two paragraphs of body text is body text, whatever words it holds
  // (a law quoted in a report may say 版权所有 or 发布机构).
  std::vector<std::uint8_t> remove(lines.size(), 0);
  for (std::size_t i = 0; i < lines.size(); ++i)
    remove[i] = lines[i].edge_zone && (lines[i].kind == Kind::kStrong || lines[i].kind == Kind::kEdge);
  // A related-article list: after its marker, nothing but short non-sentence lines and chrome.
  for (std::size_t i = lines.size(); i-- > 0;) {
    const std::u32string_view t = trim(line_text(lines[i]));
    if (!t.empty() && (lines[i].kind == Kind::kBody || lines[i].kind == Kind::kEdge) &&
        (t.size() > 100 || is_sentence_end(t.back())))
      break;
    if (is_related_marker(t)) {
      for (std::size_t j = i; j < lines.size(); ++j) remove[j] = lines[j].kind != Kind::kBlank;
      break;
    }
  }

  ChromeResult out;
  out.text.reserve(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::u32string_view l = line_text(lines[i]);
    const bool has_newline = lines[i].end < text.size();
    if (remove[i]) {
      const std::u32string_view t = trim(l);
      out.removed.emplace_back(t);
      for (MetadataField& f : header_fields(t))
        if (!f.value.empty()) metadata.fields.push_back(std::move(f));
      continue;
    }
    out.text.append(l);
    if (has_newline) out.text.push_back(U'\n');
  }
  // Removing the last line must not leave a dangling line break that was not in the input's
  // last kept line: keep the text as the kept lines were written.
  return out;
}

}  // namespace leitong
