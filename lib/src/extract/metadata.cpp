#include <leitong/core/text.h>
#include <leitong/extract/metadata.h>

#include <initializer_list>

#include "detail/u32.h"

namespace leitong {

namespace {

using detail::contains;
using detail::ends_with;
using detail::is_colon;
using detail::is_sentence_end;
using detail::starts_with;
using detail::trim;

// Parses a date at the start of `v`: 2025-02-12, 2025/2/12, 2025.02.12 or 2025年2月12日.
std::u32string leading_date(std::u32string_view v) {
  std::size_t i = 0;
  std::size_t n = 0;
  while (i < v.size() && detail::digit_value(v[i]) >= 0) ++i, ++n;
  if (n != 4) return {};
  std::size_t end = i;
  for (int part = 0; part < 2 && i < v.size(); ++part) {
    const char32_t sep = v[i];
    if (!(sep == U'-' || sep == U'/' || sep == U'.' || sep == U'年' || sep == U'月')) break;
    ++i;
    std::size_t m = 0;
    while (i < v.size() && detail::digit_value(v[i]) >= 0 && m < 2) ++i, ++m;
    if (m == 0) break;
    end = i;
  }
  if (end < v.size() && v[end] == U'日') ++end;
  if (end < v.size() && v[end] == U'月') ++end;
  return std::u32string(v.substr(0, end));
}

bool is_chinese_date(std::u32string_view t) {
  // 2025年2月12日 or 二〇二五年二月十二日.
  auto numeral = [](char32_t c) {
    return detail::digit_value(c) >= 0 ||
           std::u32string_view(U"〇零一二三四五六七八九十").find(c) != std::u32string_view::npos;
  };
  std::size_t i = 0;
  for (char32_t unit : {U'年', U'月', U'日'}) {
    std::size_t n = 0;
    while (i < t.size() && numeral(t[i])) ++i, ++n;
    if (n == 0 || i >= t.size() || t[i] != unit) return false;
    ++i;
  }
  return i == t.size();
}

const MetadataField* find_field(const DocumentMetadata& md,
                                std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys)
    for (const MetadataField& f : md.fields)
      if (f.key == k && !f.value.empty()) return &f;
  return nullptr;
}

}  // namespace

bool looks_like_agency(std::string_view name_utf8) {
  const std::u32string owned = detail::to_u32(name_utf8);
  const std::u32string_view name = trim(owned);
  if (name.size() < 3 || name.size() > 40) return false;
  for (char32_t c : name)
    if (!is_cjk(c) && c != U'（' && c != U'）' && c != U'(' && c != U')' && c != U'·') return false;
  static constexpr std::u32string_view kSuffixes[] = {
      U"局", U"委", U"委员会", U"办",   U"办公室", U"厅",   U"部",   U"院",   U"署",     U"政府",
      U"室", U"处", U"所",     U"站",   U"中心",   U"镇",   U"乡",   U"街道", U"办事处", U"队",
      U"馆", U"会", U"庭",     U"监狱", U"中学",   U"小学", U"学校", U"学院", U"大学",   U"医院"};
  bool suffix = false;
  for (std::u32string_view s : kSuffixes) suffix |= ends_with(name, s);
  if (!suffix) return false;
  static constexpr std::u32string_view kRelative[] = {U"本", U"我", U"该", U"区", U"市",   U"县",
                                                      U"镇", U"乡", U"省", U"州", U"街道", U"各"};
  for (std::u32string_view r : kRelative)
    if (starts_with(name, r)) return false;
  static constexpr std::u32string_view kState[] = {U"国务院", U"国家", U"中共", U"中国",
                                                   U"中华",   U"全国", U"最高", U"中央"};
  for (std::u32string_view s : kState)
    if (starts_with(name, s)) return true;
  static constexpr std::u32string_view kPlaces[] = {U"省", U"市", U"区", U"县",   U"州", U"旗",
                                                    U"盟", U"镇", U"乡", U"街道", U"村"};
  // The place marker must come before the agency part (沙坪坝区民政局: 区 before 民政局).
  for (std::u32string_view p : kPlaces) {
    const std::size_t at = name.find(p);
    if (at != std::u32string_view::npos && at > 0 && at + p.size() < name.size()) return true;
  }
  return false;
}

namespace {

// Position and value of the first year ("2024年", "２０２４年", "二〇二四年") in `t`, or {npos, 0}.
std::pair<std::size_t, int> find_year(std::u32string_view t) {
  static constexpr std::u32string_view kNumerals = U"〇一二三四五六七八九";
  for (std::size_t i = 0; i + 4 < t.size(); ++i) {
    if (i > 0 && (detail::digit_value(t[i - 1]) >= 0 ||
                  kNumerals.find(t[i - 1]) != std::u32string_view::npos))
      continue;
    int year = 0;
    bool ok = true;
    for (std::size_t k = 0; k < 4 && ok; ++k) {
      const char32_t c = t[i + k];
      int d = detail::digit_value(c);
      if (d < 0) {
        const std::size_t at = kNumerals.find(c);
        d = at == std::u32string_view::npos ? -1 : int(at);
        if (c == U'零') d = 0;
      }
      ok = d >= 0;
      year = year * 10 + d;
    }
    std::size_t after = i + 4;
    while (ok && after < t.size() && t[after] == U' ') ++after;
    if (ok && after < t.size() && t[after] == U'年' && year >= 1990 && year <= 2100)
      return {i, year};
  }
  return {std::u32string_view::npos, 0};
}

std::u32string_view title_head(std::u32string_view t) {
  // "…的报告_重庆市沙坪坝区人民政府": the site name after the separator is not the title.
  for (std::u32string_view sep :
       {std::u32string_view(U"_"), std::u32string_view(U" - "), std::u32string_view(U"|"),
        std::u32string_view(U"｜"), std::u32string_view(U" — ")}) {
    const std::size_t at = t.find(sep);
    if (at != std::u32string_view::npos && at > 0) t = t.substr(0, at);
  }
  return trim(t);
}

}  // namespace

int year_of_title(std::string_view title) {
  const std::u32string t = detail::to_u32(title);
  return find_year(title_head(t)).second;
}

std::string agency_of_title(std::string_view title) {
  const std::u32string owned = detail::to_u32(title);
  const std::u32string_view t = title_head(owned);
  std::size_t cut = t.find(U"关于");
  if (cut == std::u32string_view::npos) cut = find_year(t).first;
  if (cut == std::u32string_view::npos || cut == 0) return {};
  const std::string prefix = encode_utf8(trim(t.substr(0, cut)));
  return looks_like_agency(prefix) ? prefix : std::string();
}

void complete_metadata(std::u32string_view text, DocumentMetadata& md) {
  if (md.title.empty()) {
    if (const MetadataField* f =
            find_field(md, {"名称", "标题", "文章标题", "meta ArticleTitle", "document title"})) {
      md.title = f->value;
      md.title_from = f->key + " field";
    }
  }
  // Non-blank lines at the start and the end of the text.
  std::vector<std::u32string_view> head, tail;
  for (std::size_t pos = 0; pos < text.size() && head.size() < 1;) {
    std::size_t nl = text.find(U'\n', pos);
    if (nl == std::u32string_view::npos) nl = text.size();
    const std::u32string_view t = trim(text.substr(pos, nl - pos));
    if (!t.empty()) head.push_back(t);
    pos = nl + 1;
  }
  for (std::size_t end = text.size(); end > 0 && tail.size() < 4;) {
    std::size_t nl = text.rfind(U'\n', end - 1);
    const std::size_t begin = nl == std::u32string_view::npos ? 0 : nl + 1;
    const std::u32string_view t = trim(text.substr(begin, end - begin));
    if (!t.empty()) tail.insert(tail.begin(), t);
    if (nl == std::u32string_view::npos) break;
    end = nl;
  }
  std::string first_line_title;
  if (!head.empty()) {
    const std::u32string_view t = head.front();
    if (t.size() <= 80 && !is_sentence_end(t.back()) && !is_colon(t.back()) &&
        (contains(t, U"报告") || contains(t, U"总结") || contains(t, U"情况")))
      first_line_title = encode_utf8(t);
  }
  if (md.title.empty() && !first_line_title.empty()) {
    md.title = first_line_title;
    md.title_from = "first line";
  }
  if (md.year == 0 && !md.title.empty()) {
    md.year = year_of_title(md.title);
    if (md.year) md.year_from = "title (" + md.title_from + ")";
  }
  if (md.year == 0 && !first_line_title.empty()) {
    md.year = year_of_title(first_line_title);
    if (md.year) md.year_from = "title (first line)";
  }

  // The signature: an agency name followed by a date, among the last lines.
  std::string signed_by, signed_on;
  for (std::size_t i = 0; i + 1 < tail.size(); ++i) {
    if (tail[i].size() <= 40 && is_chinese_date(tail[i + 1]) &&
        looks_like_agency(encode_utf8(tail[i]))) {
      signed_by = encode_utf8(tail[i]);
      signed_on = encode_utf8(tail[i + 1]);
    }
  }

  if (md.agency.empty()) {
    for (const std::string& title : {md.title, first_line_title}) {
      if (title.empty()) continue;
      const std::string a = agency_of_title(title);
      if (!a.empty()) {
        md.agency = a;
        md.agency_from = title == md.title ? "title (" + md.title_from + ")" : "title (first line)";
        break;
      }
    }
  }
  auto agency_from_fields = [&](std::initializer_list<std::string_view> keys) {
    for (std::string_view k : keys)
      for (const MetadataField& f : md.fields)
        if (md.agency.empty() && f.key == k && looks_like_agency(f.value)) {
          md.agency = f.value;
          md.agency_from = f.key + " field";
        }
  };
  if (md.agency.empty())
    agency_from_fields({"发布机构", "发文机关", "发文单位", "发布单位", "所属机构"});
  if (md.agency.empty() && !signed_by.empty()) {
    md.agency = signed_by;
    md.agency_from = "signature";
  }
  if (md.agency.empty())
    agency_from_fields({"来源", "信息来源", "文章来源", "meta ContentSource", "meta Author"});

  if (md.date.empty()) {
    if (const MetadataField* f =
            find_field(md, {"生成日期", "成文日期", "发文日期", "印发日期", "发布日期", "公开日期",
                            "发布时间", "meta PubDate", "日期", "时间", "更新时间"})) {
      const std::u32string d = leading_date(detail::to_u32(f->value));
      if (!d.empty()) md.date = encode_utf8(d);
    }
  }
  if (md.date.empty()) md.date = signed_on;
}

}  // namespace leitong
