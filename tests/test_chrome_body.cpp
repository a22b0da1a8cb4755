// Page chrome is removed by where it stands, never by a keyword inside the body (chrome.h): every
// line of real text placed between two paragraphs of a plain-text report survives extraction.
#include <gtest/gtest.h>
#include <leitong/core/text.h>
#include <leitong/extract/chrome.h>
#include <leitong/extract/extract.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::u32string_view kParagraph = U"本年度全面推进依法行政，各项工作取得明显成效。";

// Extracts `lines` as a plain-text report with a paragraph between each two, and returns the
// lines that did not come out unchanged.
std::vector<std::u32string> dropped(const std::vector<std::u32string>& lines) {
  std::u32string text(kParagraph);
  text += U'\n';
  for (const std::u32string& line : lines)
    text += line + U"\n" + std::u32string(kParagraph) + U"\n";
  const ExtractedText out = extract_bytes(encode_utf8(text), "report.txt");
  std::vector<std::u32string> missing;
  if (out.text == text) return missing;
  for (const std::u32string& line : lines)
    if (out.text.find(U"\n" + line + U"\n") == std::u32string::npos) missing.push_back(line);
  if (missing.empty()) missing.push_back(U"(the text changed elsewhere)");
  return missing;
}

// Prose that once read as footers or portal fields, and lines that are chrome only at a page's
// edges.
TEST(ChromeBody, KeywordsInsideTheBodyAreBodyText) {
  const std::vector<std::u32string> lines = {
      U"对于版权所有,一方转让或准许另一方使用的出版发行权和其他权利,支付报酬的数量、",
      U"版权所有人的合法权益得到保护",
      U"发布机构：区人民政府办公室，发布时间：2024年3月",
      U"索引号: 11500106MB1A37250A/2025-00012",
      U"分享到",
      U"打印本页 关闭窗口",
      U"2023-03-15",
      U"当前位置：首页 > 政务公开 > 法治政府建设",
      U"主办：重庆市沙坪坝区人民政府 网站标识码5001060001"};
  EXPECT_TRUE(dropped(lines).empty()) << encode_utf8(dropped(lines).front());
}

// The same for every line of the corpora: the bundled reports and national reports, and the laws
// where the shared corpora are beside the checkout.
TEST(ChromeBody, NoLineOfTheCorporaIsRemovedFromABody) {
  std::vector<fs::path> files;
  for (const fs::path& folder : {corpora_dir() / "reports", corpora_dir() / "gov-work-reports",
                                 source_dir() / "../shared/corpora/laws"}) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
      if (entry.is_regular_file() &&
          (entry.path().extension() == ".txt" || entry.path().extension() == ".md"))
        files.push_back(entry.path());
  }
  ASSERT_GE(files.size(), 55u);  // the bundled corpora alone hold 59
  std::size_t lines_tried = 0;
  for (const fs::path& file : files) {
    std::vector<std::u32string> lines;
    const std::u32string text = decode_text(read_bytes(file), file.string()).text;
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t nl = text.find(U'\n', pos);
      if (nl == std::u32string::npos) nl = text.size();
      std::u32string line = text.substr(pos, nl - pos);
      if (!line.empty() && line.back() == U'\r') line.pop_back();
      // Blank lines and control characters other than tabs are what extraction normalizes, not
      // what chrome removal decides.
      bool plain = line.find_first_not_of(U" \t\u3000") != std::u32string::npos;
      for (char32_t c : line) plain = plain && (c >= 0x20 || c == U'\t');
      if (plain) lines.push_back(std::move(line));
      pos = nl + 1;
    }
    lines_tried += lines.size();
    const auto missing = dropped(lines);
    EXPECT_TRUE(missing.empty()) << file << ": " << encode_utf8(missing.front());
  }
  std::printf("[chrome] %zu lines of %zu files placed between paragraphs, none removed\n",
              lines_tried, files.size());
}

// A form printed at a text's end (a regulation's appendix, a notice's reply slip) is body text
// though it stands after the last paragraph: its fields hold blanks to fill in, where a portal's
// footer holds real values. The footer beside it still goes.
TEST(ChromeBody, FormBlanksAfterTheLastParagraphStay) {
  const std::u32string text = std::u32string(kParagraph) +
                              U"\n（公章）\n经办人员：×××\n联系电话：……\n地址：＿＿＿＿ 邮编：＿＿\n"
                              U"主办：重庆市沙坪坝区人民政府 联系电话：023-65367890\n";
  const ExtractedText out = extract_bytes(encode_utf8(text), "form.md");
  EXPECT_EQ(encode_utf8(out.text), encode_utf8(std::u32string(kParagraph) +
                                               U"\n（公章）\n经办人员：×××\n联系电话：……\n地址：＿＿＿＿ 邮编：＿＿\n"));
  ASSERT_EQ(out.removed.size(), 1u);
  EXPECT_EQ(encode_utf8(out.removed[0]), "主办：重庆市沙坪坝区人民政府 联系电话：023-65367890");
}

// Chrome that repeats across the pages of one site is learned from them and left out of their
// leading and trailing runs only: the same line between two paragraphs, a report's first heading
// shared by every page, and lines on fewer than half of the pages stay.
TEST(ChromeBody, SiteChromeLeavesTheEdgesOfPagesOnly) {
  const std::u32string site = U"沙坪坝区人民政府门户网站", hotline = U"政务服务便民热线 12345";
  auto page = [&](int n, bool extra) {
    return site + U"\n无障碍 | 长者模式 | 智能问答\n" + U"第" + std::u32string(1, U"一二三四五"[n]) +
           U"份报告的标题\n一、主要举措和成效\n" + std::u32string(kParagraph) + U"\n" + site + U"\n" +
           std::u32string(kParagraph) + U"\n" + hotline + U"\n" + (extra ? U"仅此两页的一行\n" : U"");
  };
  SiteChrome chrome;
  for (int n = 0; n < 5; ++n) chrome.learn(page(n, n < 2));
  EXPECT_EQ(chrome.pages(), 5u);
  const ChromeResult out = chrome.strip(page(0, true));
  EXPECT_EQ(encode_utf8(out.text), encode_utf8(U"第一份报告的标题\n一、主要举措和成效\n" + std::u32string(kParagraph) + U"\n" +
                                               site + U"\n" + std::u32string(kParagraph) + U"\n仅此两页的一行\n"));
  ASSERT_EQ(out.removed.size(), 3u);
  EXPECT_EQ(encode_utf8(out.removed[0]), encode_utf8(site));
  EXPECT_EQ(encode_utf8(out.removed[2]), encode_utf8(hotline));
  // Fewer than three pages teach nothing.
  SiteChrome two;
  two.learn(page(0, false));
  two.learn(page(1, false));
  EXPECT_TRUE(two.strip(page(0, false)).removed.empty());
}

// `add` of a folder of one site's pages learns its chrome from them: three lines a page here (the
// site's name, a navigation line and the hotline), and none with --keep-chrome.
TEST(ChromeBody, AddLeavesOutTheChromeOfOneSitesPages) {
  TempDir dir;
  for (int n = 1; n <= 4; ++n) {
    const std::string y = std::to_string(2020 + n);
    write_file(dir.path() / ("p" + std::to_string(n) + ".html"),
               "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><div>"
               "<p>沙坪坝区人民政府门户网站</p><p>智能问答 | 长者模式</p><p>关于" + y + "年法治政府建设情况的报告</p>"
               "<p>一、主要举措和成效</p><p>" + y + "年，区民政局坚持依法行政，全面落实法治政府建设各项任务，第" + y +
               "项工作稳步推进，取得明显成效。</p><p>沙坪坝区人民政府门户网站</p><p>全面推进严格规范公正文明执法，"
               "深化行政执法体制改革，完善行政执法程序，强化行政执法监督，持续提升执法水平。</p>"
               "<p>政务服务便民热线 12345</p></div></body></html>");
  }
  const std::vector<std::string> add = {"add", "--archive", "a.db", "--agency", "某局", "--year", "2024", "."};
  const CliResult r = run_cli(add, dir.path());
  EXPECT_EQ(r.status, 0) << describe(add, r);
  EXPECT_NE(r.out.find("12 lines of page chrome left out"), std::string::npos) << describe(add, r);
  const std::vector<std::string> keep = {"add", "--archive", "k.db", "--agency", "某局", "--year", "2024",
                                         "--keep-chrome", "."};
  const CliResult k = run_cli(keep, dir.path());
  EXPECT_EQ(k.status, 0) << describe(keep, k);
  EXPECT_EQ(k.out.find("page chrome"), std::string::npos) << describe(keep, k);
}

}  // namespace
}  // namespace leitong::testing
