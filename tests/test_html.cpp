// HTML evidence: the character diff behind the marks, the pages' content and safety (escaping, no
// network), and the pages as a browser sees them — headless Chromium's DOM after scripts ran.
#include "support/corpus.h"
#include "support/variants.h"

#include <leitong/analysis/check.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/core/diff.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/render/html_report.h>
#include <leitong/render/report.h>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <gumbo.h>

#include <cstdio>
#include <functional>
#include <regex>

namespace leitong::testing {
namespace {

// ---- character diff -------------------------------------------------------------------------

std::size_t lcs_length(std::u32string_view a, std::u32string_view b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

TEST(CharDiff, UnmarkedCharactersFormALongestCommonSubsequence) {
  Random rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    std::u32string a, b;
    for (std::size_t i = rng.below(40); i > 0; --i) a.push_back(U'甲' + char32_t(rng.below(3)));
    for (std::size_t i = rng.below(40); i > 0; --i) b.push_back(U'甲' + char32_t(rng.below(3)));
    std::vector<std::uint8_t> ca, cb;
    ASSERT_TRUE(char_diff(a, b, ca, cb));
    std::u32string common_a, common_b;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!ca[i]) common_a.push_back(a[i]);
    for (std::size_t i = 0; i < b.size(); ++i)
      if (!cb[i]) common_b.push_back(b[i]);
    ASSERT_EQ(common_a, common_b);
    ASSERT_EQ(common_a.size(), lcs_length(a, b));
  }
}

TEST(CharDiff, ChangedNumberIsTheOnlyMark) {
  const std::u32string a = U"全年婚姻登记总量261宗", b = U"全年婚姻登记总量10730宗";
  std::vector<std::uint8_t> ca, cb;
  ASSERT_TRUE(char_diff(a, b, ca, cb));
  std::u32string marked;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ca[i]) marked.push_back(a[i]);
  EXPECT_EQ(marked, U"26");  // the shared "1" stays unmarked: a longest common subsequence
  EXPECT_EQ(std::count(ca.begin(), ca.begin() + 8, 1), 0);
}

TEST(CharDiff, GivesUpBeyondTheEditLimit) {
  std::vector<std::uint8_t> ca, cb;
  EXPECT_FALSE(char_diff(std::u32string(300, U'甲'), std::u32string(300, U'乙'), ca, cb, 100));
}

// ---- page content ---------------------------------------------------------------------------

// The peer-copy case of the issue: four paragraphs of 罗湖区民政局's report lifted by 合川区司法局.
Findings peer_copy_findings() {
  static const Findings findings = [] {
    TempDir dir;
    Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    std::vector<Seed> others;
    for (const Seed& s : seeds())
      if (s.file.find("hechuan") == std::string::npos) others.push_back(s);
    add_seeds(archive, others);
    Random rng(5);
    const MarkedText variant = lift_paragraphs(read_corpus_text(seed("hechuan-sifa-2024").file),
                                               read_corpus_text(seed("luohu-minzheng-2024").file), 4, U"罗湖区",
                                               U"合川区", rng);
    Document doc{{0, "hechuan-2024-with-lifted.txt", "重庆市合川区司法局", 2024, DocumentKind::kReport},
                 variant.text};
    return check_against_archive(archive, doc);
  }();
  return findings;
}

TEST(Html, CheckPageHasEveryPassageSideBySideAndTheRatios) {
  const Findings f = peer_copy_findings();
  ASSERT_FALSE(f.sources.empty());
  const std::string html = render_check_html(f);
  std::size_t articles = 0;
  for (std::size_t at = html.find("<article class=\"pair"); at != std::string::npos;
       at = html.find("<article class=\"pair", at + 1))
    ++articles;
  EXPECT_EQ(articles, f.passages.size());
  EXPECT_NE(html.find(fmt::format("data-value=\"{:.4f}\"", f.copy_ratio)), std::string::npos);
  EXPECT_NE(html.find("总复制比"), std::string::npos);
  EXPECT_NE(html.find("单篇最大复制比"), std::string::npos);
}

TEST(Html, PagesLoadNothingFromTheNetwork) {
  const std::string html = render_check_html(peer_copy_findings());
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*"(//|[a-z]+:))")));
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(Html, ReportTextIsEscaped) {
  Findings f;
  f.document.file = "<evil>.txt";
  f.text = "正文<script>alert(1)</script>&amp;";
  f.chars = 20;
  const std::string html = render_check_html(f);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;"), std::string::npos);
  EXPECT_EQ(html.find("<evil>"), std::string::npos);
}

// ---- in a browser ---------------------------------------------------------------------------

std::string chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(path)) return path;
  return {};
}

// The DOM of `page` after its scripts ran, as headless Chromium serializes it.
std::string dump_dom(const std::filesystem::path& page, const TempDir& profile) {
  // TMPDIR inside the test's folder: Chromium leaves its singleton socket's folder in TMPDIR.
  const std::string command = "TMPDIR='" + profile.path().string() + "' " + chromium() +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                              "--disable-background-networking --disable-component-update --disable-sync "
                              "--user-data-dir=" + (profile / "profile").string() + " --dump-dom 'file://" +
                              page.string() + "' 2>/dev/null";
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[65536];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

// Visits every element; `visit(node)`.
void walk(GumboNode* node, const std::function<void(GumboNode*)>& visit) {
  if (node->type != GUMBO_NODE_ELEMENT) return;
  visit(node);
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) walk(static_cast<GumboNode*>(children.data[i]), visit);
}

std::string attribute(GumboNode* node, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a ? a->value : "";
}

std::string text_of(GumboNode* node) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE) return node->v.text.text;
  if (node->type != GUMBO_NODE_ELEMENT) return {};
  std::string out;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) out += text_of(static_cast<GumboNode*>(children.data[i]));
  return out;
}

bool has_class(GumboNode* node, const std::string& cls) {
  const std::string classes = " " + attribute(node, "class") + " ";
  return classes.find(" " + cls + " ") != std::string::npos;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (chromium().empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh --test installs it)";
  }
  TempDir dir_;
};

TEST_F(Browser, PeerCopyEvidenceShowsTheCopiedPassagesSideBySide) {
  const Findings f = peer_copy_findings();
  write_file(dir_ / "evidence.html", render_check_html(f));
  const std::string dom = dump_dom(dir_ / "evidence.html", dir_);
  ASSERT_FALSE(dom.empty()) << "chromium produced no DOM";
  GumboOutput* doc = gumbo_parse(dom.c_str());
  std::vector<std::pair<std::string, std::string>> pairs;  // left and right text of each passage
  std::size_t sources = 0, highlights = 0;
  walk(doc->root, [&](GumboNode* node) {
    if (node->v.element.tag == GUMBO_TAG_TR && has_class(node, "source")) ++sources;
    if (node->v.element.tag == GUMBO_TAG_A && has_class(node, "hl")) ++highlights;
    if (node->v.element.tag == GUMBO_TAG_ARTICLE && has_class(node, "pair")) {
      std::string left, right;
      walk(node, [&](GumboNode* inner) {
        if (has_class(inner, "left")) left = text_of(inner);
        if (has_class(inner, "right")) right = text_of(inner);
      });
      pairs.emplace_back(left, right);
    }
  });
  gumbo_destroy_output(&kGumboDefaultOptions, doc);
  EXPECT_EQ(sources, f.sources.size());
  EXPECT_GE(highlights, 1u);
  ASSERT_EQ(pairs.size(), f.passages.size());
  std::size_t from_peer = 0;
  for (std::size_t i = 0; i < f.passages.size(); ++i) {
    // Each column holds its passage's text (after a small heading).
    EXPECT_NE(pairs[i].first.find(f.passages[i].text), std::string::npos) << i;
    EXPECT_NE(pairs[i].second.find(f.passages[i].source_text), std::string::npos) << i;
    if (f.passages[i].source && f.sources[*f.passages[i].source].document.agency == "深圳市罗湖区民政局") ++from_peer;
  }
  EXPECT_GE(from_peer, 1u) << "the lifted paragraphs appear as passages of the peer";
}

// Printed from the browser (Chromium's own print to PDF, its header and footer left on), the
// evidence page comes out on A4 (not the browser's default Letter) without the browser's header
// and footer (the file's address, the date), and with white space at every page's edges.
TEST_F(Browser, EvidencePrintsOnA4WithoutTheBrowsersHeader) {
  const Findings f = peer_copy_findings();
  write_file(dir_ / "evidence.html", render_check_html(f));
  const auto pdf_path = dir_ / "printed.pdf";
  const std::string command = "TMPDIR='" + dir_.path().string() + "' " + chromium() +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                              "--disable-background-networking --disable-component-update --disable-sync "
                              "--user-data-dir=" + (dir_ / "profile").string() + " --print-to-pdf=" +
                              pdf_path.string() + " 'file://" + (dir_ / "evidence.html").string() + "' 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string pdf = read_bytes(pdf_path);
  ASSERT_EQ(pdf.rfind("%PDF-", 0), 0u);
  const std::regex media_box(R"(/MediaBox \[\s*0 0 (\d+\.?\d*) (\d+\.?\d*)\s*\])");
  int pages = 0;
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), media_box); it != std::sregex_iterator(); ++it, ++pages) {
    EXPECT_NEAR(std::stod((*it)[1]), 595.3, 1.0);
    EXPECT_NEAR(std::stod((*it)[2]), 841.9, 1.0);
  }
  EXPECT_GE(pages, 1);
  ExtractParams keep;
  keep.remove_chrome = false;
  std::u32string text;
  for (const char32_t c : extract_bytes(pdf, "printed.pdf", keep).text)
    if (c != U'\n' && c != U' ') text += c;
  EXPECT_NE(text.find(U"总复制比"), std::u32string::npos);
  const std::u32string passage = decode_utf8(f.passages.front().text, "passage").substr(0, 8);
  EXPECT_NE(text.find(passage), std::u32string::npos) << encode_utf8(passage);
  EXPECT_EQ(text.find(U"file://"), std::u32string::npos) << "the browser's footer (the page's address) was printed";
  EXPECT_EQ(text.find(U"evidence.html"), std::u32string::npos);
}

TEST_F(Browser, YoyOverviewSortsWhenAHeaderIsClicked) {
  YoyResult result;
  result.threshold = 0.4;
  for (int i = 0; i < 5; ++i) {
    YoyRow row;
    row.report = {i + 1, "r.txt", "单位" + std::to_string(i), 2024, DocumentKind::kReport};
    row.prior = {0, "p.txt", row.report.agency, 2023, DocumentKind::kReport};
    row.copy_ratio = row.copy_ratio_excluding_boilerplate = 0.1 * ((i * 3) % 5);
    row.flagged = row.copy_ratio_excluding_boilerplate >= result.threshold;
    result.rows.push_back(row);
  }
  std::string html = render_yoy_html(result, [](std::size_t i) { return "e/" + std::to_string(i) + ".html"; });
  // Click the 去除样板后 header once (ascending), record the first row, click again (descending).
  html.replace(html.rfind("</body>"), 7,
               "<script>var th=document.querySelectorAll('th')[5];"
               "function first(){return document.querySelector('#yoy tbody tr td:nth-child(2)').textContent;}"
               "th.click();document.body.setAttribute('data-ascending',first());"
               "th.click();document.body.setAttribute('data-descending',first());</script></body>");
  write_file(dir_ / "yoy.html", html);
  const std::string dom = dump_dom(dir_ / "yoy.html", dir_);
  ASSERT_FALSE(dom.empty());
  EXPECT_NE(dom.find("data-ascending=\"单位0\""), std::string::npos) << "ratio 0.0 first";
  EXPECT_NE(dom.find("data-descending=\"单位3\""), std::string::npos) << "ratio 0.4 first";
  std::size_t bins = 0;
  for (std::size_t at = dom.find("class=\"bin\""); at != std::string::npos; at = dom.find("class=\"bin\"", at + 1)) ++bins;
  EXPECT_EQ(bins, 20u);
}

}  // namespace
}  // namespace leitong::testing
