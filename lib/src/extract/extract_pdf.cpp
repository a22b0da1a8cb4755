// PDF: the text layer read with poppler-cpp, words grouped into lines by position, page headers,
// footers and numbers removed, lines broken inside a paragraph rejoined.
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "detail/formats.h"
#include "detail/u32.h"

namespace leitong::detail {

// poppler-cpp is opened on first use, its functions forwarded under their mangled names with the
// calling convention these facts give (lazy_poppler.cpp): a class returned by value that is not
// trivially copyable, or larger than 16 bytes, comes back through a pointer passed first.
static_assert(!std::is_trivially_copyable_v<poppler::ustring>);
static_assert(!std::is_trivially_copyable_v<std::vector<poppler::text_box>>);
static_assert(sizeof(poppler::rectf) > 16);
// The members called, with the types the forwarders assume (called on const objects).
template <class T>
const T& const_object();  // only in decltype
static_assert(std::is_same_v<decltype(const_object<poppler::text_box>().bbox()), poppler::rectf>);
static_assert(std::is_same_v<decltype(const_object<poppler::text_box>().text()), poppler::ustring>);
static_assert(std::is_same_v<decltype(const_object<poppler::text_box>().has_space_after()), bool>);
static_assert(std::is_same_v<decltype(const_object<poppler::page>().text_list()), std::vector<poppler::text_box>>);
static_assert(std::is_same_v<decltype(const_object<poppler::document>().info_key(std::string())), poppler::ustring>);
static_assert(std::is_same_v<decltype(const_object<poppler::document>().create_page(0)), poppler::page*>);
static_assert(std::is_same_v<decltype(const_object<poppler::document>().pages()), int>);
static_assert(std::is_same_v<decltype(const_object<poppler::document>().is_locked()), bool>);

namespace {

std::u32string from_utf16(const poppler::ustring& s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char32_t u = s[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < s.size() && s[i + 1] >= 0xDC00 &&
        s[i + 1] <= 0xDFFF) {
      out.push_back(0x10000 + ((u - 0xD800) << 10) + (char32_t(s[i + 1]) - 0xDC00));
      ++i;
    } else if (u >= 0xD800 && u <= 0xDFFF) {
      out.push_back(0xFFFD);
    } else {
      out.push_back(u);
    }
  }
  return out;
}

struct Line {
  std::u32string text;
  double left = 0, right = 0, top = 0, bottom = 0;
  double height() const { return std::max(bottom - top, 1.0); }
};

bool is_ascii_alnum(char32_t c) { return c < 0x80 && std::isalnum(static_cast<int>(c)); }

// Words of one page grouped into lines: sorted by vertical centre, a word joins the line whose
// centre it is within half a height of, words of a line sorted left to right.
std::vector<Line> page_lines(const poppler::page& page) {
  struct Word {
    std::u32string text;
    double x0, x1, y0, y1;
    bool space_after;
  };
  std::vector<Word> words;
  for (const poppler::text_box& box : page.text_list()) {
    const poppler::rectf r = box.bbox();
    std::u32string t = from_utf16(box.text());
    if (t.empty()) continue;
    words.push_back(
        {std::move(t), r.x(), r.x() + r.width(), r.y(), r.y() + r.height(), box.has_space_after()});
  }
  std::stable_sort(words.begin(), words.end(),
                   [](const Word& a, const Word& b) { return a.y0 + a.y1 < b.y0 + b.y1; });
  std::vector<std::vector<const Word*>> grouped;
  std::vector<double> centres, heights;
  for (const Word& w : words) {
    const double c = (w.y0 + w.y1) / 2, h = std::max(w.y1 - w.y0, 1.0);
    if (!grouped.empty() && std::abs(c - centres.back()) <= std::max(h, heights.back()) / 2) {
      grouped.back().push_back(&w);
      continue;
    }
    grouped.push_back({&w});
    centres.push_back(c);
    heights.push_back(h);
  }
  std::vector<Line> lines;
  for (auto& g : grouped) {
    std::stable_sort(g.begin(), g.end(),
                     [](const Word* a, const Word* b) { return a->x0 < b->x0; });
    Line line;
    line.left = g.front()->x0;
    line.right = g.front()->x1;
    line.top = g.front()->y0;
    line.bottom = g.front()->y1;
    for (std::size_t i = 0; i < g.size(); ++i) {
      const Word& w = *g[i];
      if (i > 0) {
        const Word& prev = *g[i - 1];
        const double gap = w.x0 - prev.x1;
        const bool spaced = prev.space_after || gap > 0.25 * (w.y1 - w.y0);
        if (spaced && !(is_cjk(prev.text.back()) && is_cjk(w.text.front())))
          line.text.push_back(U' ');
      }
      line.text += w.text;
      line.right = std::max(line.right, w.x1);
      line.top = std::min(line.top, w.y0);
      line.bottom = std::max(line.bottom, w.y1);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// "- 3 -", "— 3 —", "3", "·3·", "第3页", "第 3 页 共 12 页", "3/12", "Page 3 of 12".
bool is_page_number(std::u32string_view line) {
  std::u32string t;
  for (char32_t c : line)
    if (!is_whitespace(c)) t.push_back(c);
  auto strip = [&](std::u32string_view chars) {
    while (!t.empty() && chars.find(t.front()) != std::u32string_view::npos) t.erase(0, 1);
    while (!t.empty() && chars.find(t.back()) != std::u32string_view::npos) t.pop_back();
  };
  strip(U"-—–―－·•.()（）[]【】");
  if (t.empty()) return false;
  std::u32string shape;  // digits as '#'
  for (char32_t c : t) {
    if (digit_value(c) >= 0) {
      if (shape.empty() || shape.back() != U'#') shape.push_back(U'#');
    } else {
      shape.push_back(c >= U'A' && c <= U'Z' ? c + 32 : c);
    }
  }
  static constexpr std::u32string_view kShapes[] = {
      U"#",   U"第#页",      U"第#页共#页", U"第#页/共#页", U"第#页,共#页", U"第#页，共#页",
      U"#/#", U"共#页第#页", U"page#",      U"page#of#",    U"#of#"};
  return std::find(std::begin(kShapes), std::end(kShapes), shape) != std::end(kShapes);
}

// The key under which a header or footer repeats: digits masked, whitespace dropped.
std::u32string repeat_key(std::u32string_view line) {
  std::u32string key;
  for (char32_t c : line) {
    if (is_whitespace(c)) continue;
    if (digit_value(c) >= 0) {
      if (key.empty() || key.back() != U'#') key.push_back(U'#');
    } else {
      key.push_back(c);
    }
  }
  return key;
}

bool starts_heading(std::u32string_view t) {
  // 一、 （一） (一) 1. 1、 第一章
  static constexpr std::u32string_view kNumerals = U"一二三四五六七八九十";
  if (t.empty()) return false;
  std::size_t i = 0;
  if (t[0] == U'（' || t[0] == U'(') ++i;
  const std::size_t start = i;
  while (i < t.size() &&
         (kNumerals.find(t[i]) != std::u32string_view::npos || digit_value(t[i]) >= 0))
    ++i;
  if (i == start || i >= t.size()) return starts_with(t, U"第");
  return t[i] == U'、' || t[i] == U'.' || t[i] == U'．' || t[i] == U'）' || t[i] == U')';
}

bool ends_sentence(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'：' || c == U'；' || c == U':' ||
         c == U'!' || c == U'?';
}

}  // namespace

RawText extract_pdf(std::string_view bytes, const std::string& file, const ExtractParams& params,
                    const Deadline& deadline) {
  static const bool quiet = [] {
    // poppler reports syntax errors on stderr by default; the library never prints.
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
    return true;
  }();
  (void)quiet;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw_error("{}: PDF too large to read", file);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) throw_error("{}: damaged PDF (it cannot be parsed)", file);
  deadline.check("the PDF's structure");
  if (doc->is_locked()) throw_error("{}: encrypted PDF (a password is needed to open it)", file);
  const int pages = doc->pages();
  if (pages <= 0) throw_error("{}: damaged PDF (no pages)", file);
  if (pages > params.max_pdf_pages)
    throw_error("{}: PDF has {} pages; the limit is {}", file, pages, params.max_pdf_pages);

  // Headers and footers: the first and last one or two lines of a page when a wider gap than the
  // page's line spacing sets them apart from the body; of those, the ones that recur (digits
  // masked) on at least half of the pages (and two), and page numbers. A page number alone on the
  // first or last line goes even without a gap.
  auto edges = [](const std::vector<Line>& lines) {
    std::vector<std::uint8_t> edge(lines.size(), 0);
    if (lines.empty()) return edge;
    edge.front() = edge.back() = 2;  // 2: first or last line (page numbers only, unless set apart)
    if (lines.size() < 3) return edge;
    std::vector<double> gaps;
    for (std::size_t k = 0; k + 1 < lines.size(); ++k)
      gaps.push_back(lines[k + 1].top - lines[k].top);
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double wide = 1.3 * sorted[sorted.size() / 2];
    const std::size_t n = lines.size();
    if (gaps[0] > wide)
      edge[0] = 1;
    else if (gaps[1] > wide)
      edge[0] = edge[1] = 1;
    if (gaps[n - 2] > wide)
      edge[n - 1] = 1;
    else if (gaps[n - 3] > wide)
      edge[n - 1] = edge[n - 2] = 1;
    return edge;
  };

  std::vector<std::vector<Line>> all(static_cast<std::size_t>(pages));
  std::vector<std::vector<std::uint8_t>> edge_of(static_cast<std::size_t>(pages));
  std::size_t meaningful = 0;
  // Characters the text will hold whatever the headers and footers turn out to be (lines that are
  // no page's edge are always kept): past the limit the file is refused before its other pages
  // are read.
  std::size_t kept_at_least = 0;
  for (int i = 0; i < pages; ++i) {
    deadline.check(fmt::format("page {} of {}", i + 1, pages));
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    const auto p = static_cast<std::size_t>(i);
    all[p] = page_lines(*page);
    edge_of[p] = edges(all[p]);
    for (std::size_t k = 0; k < all[p].size(); ++k) {
      const Line& l = all[p][k];
      for (char32_t c : l.text)
        meaningful +=
            is_cjk(c) || is_ascii_alnum(c) || (c > 0x80 && !is_whitespace(c) && c != 0xFFFD);
      if (edge_of[p][k] == 0 || !params.remove_chrome) kept_at_least += trim(l.text).size();
    }
    if (kept_at_least > params.max_text_chars) detail::refuse_long_text(file, 0, params, true);
  }
  deadline.check("the last page");
  if (meaningful == 0)
    throw_error("{}: scanned PDF without a text layer ({} page{} of images); run OCR on it first",
                file, pages, pages == 1 ? "" : "s");

  RawText out;
  out.format = "pdf";
  out.pages = pages;

  std::map<std::u32string, int> recurring;
  for (std::size_t p = 0; p < all.size(); ++p) {
    const auto& lines = all[p];
    std::vector<std::u32string> keys;
    for (std::size_t k = 0; k < lines.size(); ++k)
      if (edge_of[p][k] == 1) keys.push_back(repeat_key(lines[k].text));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (auto& k : keys) ++recurring[k];
  }
  const int needed = std::max(2, (pages + 1) / 2);
  for (std::size_t p = 0; p < all.size(); ++p) {
    auto& lines = all[p];
    std::vector<Line> kept;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const std::uint8_t edge = edge_of[p][k];
      const std::u32string_view t = trim(lines[k].text);
      if (t.empty()) continue;
      // --keep-chrome (remove_chrome off) keeps these too: it keeps everything.
      if (params.remove_chrome && ((edge && is_page_number(t)) ||
                                   (edge == 1 && pages >= 2 && recurring[repeat_key(t)] >= needed))) {
        out.removed.emplace_back(t);
        continue;
      }
      kept.push_back(std::move(lines[k]));
    }
    lines = std::move(kept);
  }

  // Rejoin lines: a line continues the previous one when the previous reached the right margin
  // and this one is not indented (and does not open a heading after a finished sentence).
  std::u32string text;
  const Line* prev = nullptr;
  double prev_margin_right = 0, prev_char = 0;
  for (const auto& lines : all) {
    if (lines.empty()) continue;
    double left = lines.front().left, right = lines.front().right;
    std::vector<double> heights;
    for (const Line& l : lines) {
      left = std::min(left, l.left);
      right = std::max(right, l.right);
      heights.push_back(l.height());
    }
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    const double ch = heights[heights.size() / 2];  // a typical character size
    for (const Line& l : lines) {
      const std::u32string_view t = trim(l.text);
      bool join = false;
      if (prev) {
        const bool prev_full = prev_margin_right - prev->right < 1.5 * prev_char;
        const bool indented = l.left - left > 0.9 * ch;
        const std::u32string_view pt = trim(prev->text);
        join = prev_full && !indented && !(ends_sentence(pt.back()) && starts_heading(t));
      }
      if (join) {
        if (is_ascii_alnum(text.back()) && is_ascii_alnum(t.front())) text.push_back(U' ');
      } else if (!text.empty()) {
        text.push_back(U'\n');
      }
      text.append(t);
      prev = &l;
      prev_margin_right = right;
      prev_char = ch;
    }
  }
  if (!text.empty()) text.push_back(U'\n');
  out.text = std::move(text);

  const std::u32string title = from_utf16(doc->info_key("Title"));
  const std::u32string_view t = trim(title);
  if (!t.empty() && t.size() <= 80 &&
      (contains(t, U"报告") || contains(t, U"总结") || contains(t, U"情况")))
    add_field(out.metadata, "document title", encode_utf8(t));
  return out;
}

}  // namespace leitong::detail
