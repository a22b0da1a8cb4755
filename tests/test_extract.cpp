// Real-world inputs (extract.h, chrome.h): every format and encoding inspectors meet, page chrome
// left out, bad files refused with a reason, and the same report read from each format matching
// the archive like its clean text does.
//
// Suites: Chrome (page chrome and metadata), Extract (encodings, formats, refusals through the
// library), Formats (the same report as .txt, re-typed GB18030, .docx, portal .html and .pdf,
// checked against an archive of the corpora), ExtractCli (the `extract` command, `add DIR`,
// metadata fill-in, and every bad input refused by add and check with the archive unchanged).
#include <gtest/gtest.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/chrome.h>
#include <leitong/extract/extract.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.h"
#include "support/corpus.h"
#include "support/formats.h"
#include "support/variants.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}
bool contains(std::u32string_view s, std::u32string_view part) {
  return s.find(part) != std::u32string_view::npos;
}

// The message of the Error that extracting `bytes` as `name` throws ("" if none).
std::string refusal(std::string_view bytes, const std::string& name,
                    const ExtractParams& params = {}) {
  try {
    extract_bytes(bytes, name, params);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Paragraph lines of a text: non-blank lines, trimmed of surrounding whitespace.
std::vector<std::u32string> lines_of(std::u32string_view text) {
  std::vector<std::u32string> out;
  for (std::u32string p : paragraphs(text)) {
    while (!p.empty() && is_whitespace(p.back())) p.pop_back();
    std::size_t i = 0;
    while (i < p.size() && is_whitespace(p[i])) ++i;
    out.push_back(p.substr(i));
  }
  return out;
}

std::u32string joined(const std::vector<std::u32string>& paragraphs) {
  std::u32string out;
  for (const auto& p : paragraphs) out += p + U"\n";
  return out;
}

// `text` without spaces between two ideographs (a PDF's text layer does not keep them: gaps
// between CJK glyphs are layout, not words).
std::u32string squeezed(std::u32string_view text) {
  std::u32string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == U' ' && !out.empty() && out.back() >= 0x3000 && i + 1 < text.size() &&
        text[i + 1] >= 0x3000)
      continue;
    out.push_back(text[i]);
  }
  return out;
}

const fs::path kCase = "cases/luohu-minzheng-2025.txt";
const std::string kLuohu = "深圳市罗湖区民政局";

// ---------------------------------------------------------------------------------------------
// Chrome

TEST(Chrome, StrongLinesAnywhere) {
  for (const char* line :
       {"2023-03-15",
        "2022/7/9",
        "2023.03.11 21:00:23",
        "更新时间:2023-03-11 21:00:23 发布时间:24小时内 作者:文/会员上传 下载docx",
        "日期:2025-01-24来源:区司法局",
        "分享文章到",
        "分享到：微信 微博 QQ空间",
        "【打印本页】 【关闭窗口】",
        "【字体：大 中 小】",
        "将本文的Word文档下载到电脑",
        "推荐度:",
        "网站标识码:5001170002",
        "渝ICP备05003300号",
        "当前位置：首页 > 政务公开 > 法治政府建设",
        "首页 > 政务公开",
        "上一篇：关于印发…的通知",
        "索引号: | 11500106009290497H/2025-00032 | 信息分类名称: | 民政/工作报告 | ||",
        "发布机构: | 沙坪坝区民政局 | 生成日期: | 2025-02-12 |",
        "索 引 号：115001",
        "浏览次数：1024",
        "相关文档",
        "版权所有：重庆市合川区人民政府办公室 主办，合川区人民政府 渝ICP备05003300号",
        "版权所有 © 重庆市司法局, 网址: www.cqsf.gov.cn"})
    EXPECT_TRUE(is_chrome_line(u32(line))) << line;
  for (const char* line :
       {"2024年,区司法局坚持以习近平新时代中国特色社会主义思想为指导。", "一、2024年工作情况",
        "重庆市沙坪坝区民政局", "2025年2月12日", "(联系人:王文辉 ; 联系电话:65317131)",
        "时间:2024年3月", "资金来源:区级财政", "地址:重庆合川区希尔安大道222号",
        "名称: | 重庆市沙坪坝区民政局关于2024年推进法治政府建设情况的报告 | ||||", "中国",
        "发布时间：2024年全年共开展专项检查12次。",
        // Prose that mentions copyright, cut by a line break before its full stop (found by synth
        // on the laws corpus).
        "对于版权所有，一方转让或准许另一方使用的出版发行权和其他权利，支付报酬的数量、方式和时间，"
        "均应在合同中逐项加以规定。同时，要根据",
        // Shorter, but a sentence and then more (found by synth at a million reports).
        "一是围绕“六稳”“六保”深化政府信息公开。北华区规划和自然资源局沟通期间不得停止对案件的侦查。"
        "对于版权所有，一方转让",
        // Half-width commas, as some of the laws corpus writes them.
        "对于版权所有,一方转让或准许另一方使用的出版发行权和其他权利,支付报酬的数量、方式和时间,"
        "均应在合同中逐项加以规定。某局建立公路养护维修信息档案,记录养护作业、巡查、检测以及其他相关信息;"})
    EXPECT_FALSE(is_chrome_line(u32(line))) << line;
}

TEST(Chrome, WeakFieldsOnlyAtTheEdges) {
  const std::u32string text =
      U"名称: | 某局关于2024年法治政府建设情况的报告 | ||||\n"
      U"各位领导：\n"
      U"根据有关要求，现将我局2024年度法治政府建设工作情况报告如下，请审阅并提出意见建议。\n"
      U"时间:2024年3月\n"
      U"地址:我局会议室，参加人员包括全体干部职工以及法律顾问，会议由主要负责同志主持召开。\n"
      U"特此报告。\n"
      U"某局\n"
      U"地址:重庆合川区希尔安大道222号\n"
      U"邮编:401520\n";
  DocumentMetadata md;
  const ChromeResult r = strip_chrome(text, md);
  EXPECT_FALSE(contains(r.text, U"名称:"));
  EXPECT_TRUE(contains(r.text, U"时间:2024年3月\n")) << "a weak field inside the report stays";
  EXPECT_TRUE(contains(r.text, U"地址:我局会议室")) << "a sentence stays";
  EXPECT_FALSE(contains(r.text, U"希尔安大道"));
  EXPECT_FALSE(contains(r.text, U"401520"));
  EXPECT_TRUE(contains(r.text, U"特此报告。\n某局\n"));
  EXPECT_EQ(r.removed.size(), 3u);
}

TEST(Chrome, RelatedArticleListAtTheEndIsRemoved) {
  const std::u32string text =
      U"全年共办理行政复议案件18件，行政应诉案件7件，依法纠正违法或不当的行政行为，实现行政与司法良"
      U"性互动。\n"
      U"相关文章\n"
      U"某区2023年法治政府建设年度报告\n"
      U"某区关于印发2024年依法行政工作要点的通知\n"
      U"主办：某区人民政府办公室\n";
  DocumentMetadata md;
  const ChromeResult r = strip_chrome(text, md);
  EXPECT_EQ(r.text,
            U"全年共办理行政复议案件18件，行政应诉案件7件，依法纠正违法或不当的行政行为，实现行政与"
            U"司法良性互动。\n");
  EXPECT_EQ(r.removed.size(), 4u);
}

TEST(Chrome, KeptLinesAreCopiedUnchanged) {
  const std::u32string text = U"2023-03-15\r\n  第一段，带前导空格。\r\n\r\n第二段。\n推荐度:";
  DocumentMetadata md;
  const ChromeResult r = strip_chrome(text, md);
  EXPECT_EQ(r.text, U"  第一段，带前导空格。\r\n\r\n第二段。\n");
}

TEST(Chrome, HeaderFields) {
  const auto f = header_fields(u32("日期:2025-01-24来源:区司法局"));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].key, "日期");
  EXPECT_EQ(f[0].value, "2025-01-24");
  EXPECT_EQ(f[1].key, "来源");
  EXPECT_EQ(f[1].value, "区司法局");
  const auto t = header_fields(
      u32("发布机构: | 沙坪坝区民政局 | 生成日期: | 2025-02-12 | 发布日期: | 2025-02-14 |"));
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].value, "沙坪坝区民政局");
  EXPECT_EQ(t[2].key, "发布日期");
  EXPECT_EQ(t[2].value, "2025-02-14");
  EXPECT_TRUE(header_fields(u32("资金来源:区级财政")).empty());
}

TEST(Chrome, AgencyAndYearFromTitles) {
  EXPECT_EQ(year_of_title("重庆市沙坪坝区民政局关于2024年推进法治政府建设情况的报告"), 2024);
  EXPECT_EQ(year_of_title("关于二〇二三年度法治政府建设情况的报告"), 2023);
  EXPECT_EQ(year_of_title("某局２０２２年法治政府建设年度报告_某市人民政府"), 2022);
  EXPECT_EQ(year_of_title("法治政府建设情况的报告"), 0);
  EXPECT_EQ(year_of_title("第12345年"), 0);
  EXPECT_EQ(agency_of_title("重庆市沙坪坝区民政局关于2024年推进法治政府建设情况的报告"),
            "重庆市沙坪坝区民政局");
  EXPECT_EQ(agency_of_title("深圳市罗湖区民政局2024年法治政府建设年度报告_罗湖区政府"),
            "深圳市罗湖区民政局");
  EXPECT_EQ(agency_of_title("区司法局关于2024年法治政府建设情况的报告"), "") << "relative name";
  EXPECT_EQ(agency_of_title("2024年法治政府建设年度报告"), "");
  EXPECT_TRUE(looks_like_agency("重庆市綦江区安稳镇人民政府"));
  EXPECT_TRUE(looks_like_agency("国务院"));
  EXPECT_TRUE(looks_like_agency("沙坪坝区民政局"));
  EXPECT_FALSE(looks_like_agency("区司法局"));
  EXPECT_FALSE(looks_like_agency("本局"));
  EXPECT_FALSE(looks_like_agency("法治政府建设"));
  EXPECT_FALSE(looks_like_agency("重庆市合川区人民政府办公室，邮编401520"));
}

TEST(Chrome, SeedPagesLoseTheirChromeAndKeepTheirWords) {
  // Seed 003: a 范文 template page (date lists, "更新时间 … 下载docx", download prompt, 推荐度).
  const ExtractedText fanwen = extract_file(corpora_dir() / "reports/fanwen-page-2023.txt");
  for (const char32_t* chrome :
       {U"更新时间", U"下载docx", U"将本文的Word文档下载到电脑", U"推荐度", U"会员上传"})
    EXPECT_FALSE(contains(fanwen.text, chrome)) << encode_utf8(chrome);
  for (const auto& line : lines_of(fanwen.text))
    EXPECT_FALSE(is_chrome_line(line)) << encode_utf8(line);
  EXPECT_TRUE(contains(fanwen.text, U"为积极推进我市依法行政工作"));
  EXPECT_TRUE(contains(fanwen.text, U"3.强化行政执法监督检查。"));
  EXPECT_EQ(fanwen.removed.size(), 13u);

  // Seed 002: a portal page with "日期… 来源…" and the share/footer block.
  const ExtractedText hechuan = extract_file(corpora_dir() / "reports/hechuan-sifa-2024.txt");
  for (const char32_t* chrome : {U"日期:2025-01-24", U"分享文章到", U"文件下载", U"相关文档",
                                 U"网站标识码", U"主办:", U"邮编", U"希尔安大道"})
    EXPECT_FALSE(contains(hechuan.text, chrome)) << encode_utf8(chrome);
  EXPECT_TRUE(hechuan.text.starts_with(U"2024年,在区委、区政府的坚强领导下"));
  EXPECT_TRUE(contains(hechuan.text, U"切实发挥党政机关法律顾问、公职律师作用。"));
  EXPECT_EQ(hechuan.metadata.date, "2025-01-24");
  EXPECT_EQ(hechuan.metadata.agency, "") << "来源:区司法局 names no full agency";

  // Seed 000: the 索引号/发布机构/文号 table; its 名称 gives the agency and year.
  const ExtractedText shapingba =
      extract_file(corpora_dir() / "reports/shapingba-minzheng-2024.txt");
  for (const char32_t* chrome :
       {U"索引号", U"发布机构", U"文号:", U"信息分类名称", U"11500106009290497H"})
    EXPECT_FALSE(contains(shapingba.text, chrome)) << encode_utf8(chrome);
  EXPECT_TRUE(shapingba.text.starts_with(U"区委、区政府:\n"));
  EXPECT_TRUE(contains(shapingba.text, U"(联系人:王文辉 ; 联系电话:65317131)"));
  EXPECT_EQ(shapingba.metadata.agency, "重庆市沙坪坝区民政局");
  EXPECT_EQ(shapingba.metadata.year, 2024);
  EXPECT_EQ(shapingba.metadata.title, "重庆市沙坪坝区民政局关于2024年推进法治政府建设情况的报告");
  EXPECT_EQ(shapingba.metadata.date, "2025-02-12");

  // Reports without chrome are read unchanged.
  for (const char* clean : {"reports/luohu-minzheng-2024.txt", "reports/anwen-zhen-2021.txt",
                            "cases/luohu-minzheng-2025.txt"}) {
    const ExtractedText e = extract_file(corpora_dir() / clean);
    EXPECT_TRUE(e.removed.empty()) << clean;
    EXPECT_EQ(e.text, decode_text(read_bytes(corpora_dir() / clean), clean).text) << clean;
  }
  // The signature names 安稳镇.
  const ExtractedText anwen = extract_file(corpora_dir() / "reports/anwen-zhen-2021.txt");
  EXPECT_EQ(anwen.metadata.agency, "重庆市綦江区安稳镇人民政府");
  EXPECT_EQ(anwen.metadata.agency_from, "signature");
  EXPECT_EQ(anwen.metadata.year, 0) << "the year comes from a title only";
}

// ---------------------------------------------------------------------------------------------
// Extract: encodings and formats

const std::string kSample =
    "重庆市某区民政局2024年法治政府建设年度报告\n"
    "2024年，区民政局坚持以习近平新时代中国特色社会主义思想为指导，全面落实法治政府建设各项任务。\n"
    "一、主要举措和成效\n"
    "全年共办理行政许可事项1,234件，组织干部集中学法12次，受教育面达到100%。\n";

TEST(Extract, PlainTextInEveryEncodingReadsTheSame) {
  const std::u32string expected = u32(kSample);
  EXPECT_EQ(extract_bytes(kSample, "a.txt").text, expected);
  EXPECT_EQ(extract_bytes(kSample, "a.txt").format, "text/utf-8");
  EXPECT_EQ(extract_bytes("\xEF\xBB\xBF" + kSample, "a.md").format, "text/utf-8-bom");
  EXPECT_EQ(extract_bytes("\xEF\xBB\xBF" + kSample, "a.md").text, expected);
  const ExtractedText gb = extract_bytes(to_gb18030(kSample), "noextension");
  EXPECT_EQ(gb.format, "text/gb18030");
  EXPECT_EQ(gb.text, expected);
  std::string le = "\xFF\xFE", be = "\xFE\xFF";
  for (char32_t c : expected) {
    const auto u = static_cast<char16_t>(c);
    le.push_back(static_cast<char>(u & 0xFF));
    le.push_back(static_cast<char>(u >> 8));
    be.push_back(static_cast<char>(u >> 8));
    be.push_back(static_cast<char>(u & 0xFF));
  }
  EXPECT_EQ(extract_bytes(le, "a.txt").text, expected);
  EXPECT_EQ(extract_bytes(le, "a.txt").format, "text/utf-16le");
  EXPECT_EQ(extract_bytes(be, "a.txt").text, expected);
  // A GB18030 file named .html but holding no markup is text, by content.
  EXPECT_EQ(extract_bytes(to_gb18030(kSample), "page.html").format, "text/gb18030");
  // The first line names the report: metadata.
  const ExtractedText e = extract_bytes(kSample, "a.txt");
  EXPECT_EQ(e.metadata.title, "重庆市某区民政局2024年法治政府建设年度报告");
  EXPECT_EQ(e.metadata.year, 2024);
  EXPECT_EQ(e.metadata.agency, "重庆市某区民政局");
}

TEST(Extract, HtmlCharsetFromMetaAndByContent) {
  const std::string body =
      "<p>2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务，取得良好成效。</p>";
  const std::string expected =
      "2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务，取得良好成效。\n";
  const std::string gb2312 =
      "<html><head><meta charset=gb2312><title>t</title></head><body>" + body + "</body></html>";
  const ExtractedText a = extract_bytes(to_gb18030(gb2312), "a.htm");
  EXPECT_EQ(a.format, "html/gb18030");
  EXPECT_EQ(encode_utf8(a.text), expected);
  const std::string http_equiv =
      "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\">\n<html><head><meta "
      "http-equiv=\"Content-Type\" "
      "content=\"text/html; charset=GBK\" /></head><body>" +
      body + "</body></html>";
  EXPECT_EQ(encode_utf8(extract_bytes(to_gb18030(http_equiv), "b.html").text), expected);
  // Declared gb2312 but saved as UTF-8 (a common mislabel): read as UTF-8.
  const ExtractedText c = extract_bytes(gb2312, "c.html");
  EXPECT_EQ(c.format, "html/utf-8");
  EXPECT_EQ(encode_utf8(c.text), expected);
  // No declaration: UTF-8 or GB18030 by content; a BOM wins.
  const std::string bare = "<html><body>" + body + "</body></html>";
  EXPECT_EQ(extract_bytes(to_gb18030(bare), "d.html").format, "html/gb18030");
  EXPECT_EQ(encode_utf8(extract_bytes("\xEF\xBB\xBF" + bare, "e").text), expected);
}

TEST(Extract, HtmlKeepsTheArticleAndDropsThePage) {
  const std::vector<std::u32string> paras = {
      U"2024年，区民政局坚持以习近平新时代中国特色社会主义思想为指导，全面落实法治政府建设各项任务"
      U"。",
      U"一、主要举措和成效",
      U"（一）依法全面履行职能。全年共办理行政许可事项1,234件，群众满意率 & 办结率均达到100%。",
      U"（二）严格规范公正文明执法。组织执法人员培训3次，开展“谁执法谁普法”宣传活动12场次。"};
  PortalPage page{"重庆市沙坪坝区民政局关于2024年推进法治政府建设情况的报告", "沙坪坝区民政局",
                  "2025-02-12", "gb2312"};
  const std::string html = make_portal_html(paras, page);
  const ExtractedText e = extract_bytes(to_gb18030(html), "page.html");
  EXPECT_EQ(e.format, "html/gb18030");
  EXPECT_EQ(e.text, joined(paras));
  for (const char* chrome :
       {"首页", "政务公开", "分享", "打印", "索引号", "主办", "网站标识码", "ICP", "脚本",
        "统计代码", "相关文档", "2023年推进", "浏览次数", "无障碍"})
    EXPECT_FALSE(contains(encode_utf8(e.text), chrome)) << chrome;
  EXPECT_EQ(e.metadata.agency, "重庆市沙坪坝区民政局");
  EXPECT_EQ(e.metadata.year, 2024);
  EXPECT_EQ(e.metadata.date, "2025-02-12");
}

TEST(Extract, HtmlWithoutArticleContainerKeepsBodyText) {
  const std::string html =
      "<html><body><div id=nav><a href=/>首页</a> <a>机构设置</a></div>"
      "2024年法治政府建设情况如下。<br>一是加强组织领导，健全工作机制，确保各项任务落实到位。<br>"
      "二是严格依法行政，规范执法行为，持续提升执法水平。<script>alert('x')</script><style>p{}</"
      "style></body></html>";
  const ExtractedText e = extract_bytes(html, "x.html");
  EXPECT_EQ(encode_utf8(e.text),
            "2024年法治政府建设情况如下。\n一是加强组织领导，健全工作机制，确保各项任务落实到位。\n"
            "二是严格依法行政，规范执法行为，持续提升执法水平。\n");
}

TEST(Extract, DocxParagraphsAndTablesInOrder) {
  const std::vector<std::u32string> paras = {
      U"重庆市某区民政局关于2024年法治政府建设情况的报告",
      U"2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务。",
      U"附表：主要指标完成情况 & 说明"};
  const std::vector<std::vector<std::u32string>> table = {
      {U"指标", U"2023年", U"2024年"}, {U"行政许可事项（件）", U"1,234", U"1,456"}};
  const std::string docx =
      make_docx(paras, table, "重庆市某区民政局关于2024年法治政府建设情况的报告");
  const ExtractedText e = extract_bytes(docx, "report.docx");
  EXPECT_EQ(e.format, "docx");
  EXPECT_EQ(e.text, joined(paras) + U"指标\t2023年\t2024年\n行政许可事项（件）\t1,234\t1,456\n");
  EXPECT_EQ(e.metadata.title, "重庆市某区民政局关于2024年法治政府建设情况的报告");
  EXPECT_EQ(e.metadata.title_from, "document title field");
  EXPECT_EQ(e.metadata.agency, "重庆市某区民政局");
  EXPECT_EQ(e.metadata.year, 2024);
  // Recognised by content whatever the name.
  EXPECT_EQ(extract_bytes(docx, "download").format, "docx");
}

TEST(Extract, PdfTextLayerRejoinedWithoutHeadersAndPageNumbers) {
  std::vector<std::u32string> paras;
  const std::u32string sentence =
      U"全面推进严格规范公正文明执法，深化行政执法体制改革，完善行政执法程序，强化行政执法监督。";
  for (int i = 0; i < 30; ++i) {
    std::u32string p =
        i % 5 == 0 ? U"（" + std::u32string(1, U"一二三四五六"[i / 5]) + U"）加强法治政府建设"
                   : U"";
    if (p.empty())
      for (int k = 0; k <= i % 4; ++k) p += sentence;
    paras.push_back(p);
  }
  const std::string pdf = make_pdf(paras, U"重庆市某区民政局2024年法治政府建设年度报告");
  const ExtractedText e = extract_bytes(pdf, "report.pdf");
  EXPECT_EQ(e.format, "pdf");
  EXPECT_GE(e.pages, 2);
  EXPECT_EQ(utf8(e.text), utf8(joined(paras)));
  ASSERT_FALSE(e.removed.empty());
  EXPECT_EQ(e.removed.front(), U"重庆市某区民政局2024年法治政府建设年度报告");
  EXPECT_EQ(e.removed[1], U"- 1 -");
  // Keeping chrome keeps the running heads and page numbers too.
  ExtractParams keep;
  keep.remove_chrome = false;
  const ExtractedText all = extract_bytes(pdf, "report.pdf", keep);
  EXPECT_TRUE(all.removed.empty());
  EXPECT_NE(utf8(all.text).find("重庆市某区民政局2024年法治政府建设年度报告"), std::string::npos);
  EXPECT_NE(utf8(all.text).find("- 1 -"), std::string::npos);
}

// A PDF whose text passes the limit is refused as soon as the pages read hold more than the limit
// (its other pages are not read: "more than"); one at the limit exactly is read whole.
TEST(Extract, PdfLongerThanTheCharacterLimitIsRefusedBeforeItsLastPage) {
  const std::u32string sentence =
      U"全面推进严格规范公正文明执法，深化行政执法体制改革，完善行政执法程序，强化行政执法监督。";
  const std::vector<std::u32string> paras(60, sentence + sentence);
  const std::string pdf = make_pdf(paras, U"某区民政局2024年法治政府建设年度报告");
  const ExtractedText whole = extract_bytes(pdf, "long.pdf");
  ASSERT_GE(whole.pages, 3);

  ExtractParams exact;
  exact.max_text_chars = whole.text.size();
  EXPECT_EQ(extract_bytes(pdf, "long.pdf", exact).text, whole.text);

  ExtractParams short_limit;
  short_limit.max_text_chars = whole.text.size() / whole.pages;  // about one page
  const std::string why = refusal(pdf, "long.pdf", short_limit);
  EXPECT_TRUE(contains(why, "long.pdf: text too long to check (more than " +
                                std::to_string(short_limit.max_text_chars) + " characters"))
      << why;
}

// Every refusal names the file and a reason, and is the same through extract_file.
TEST(Extract, BadInputsAreRefusedWithAReason) {
  const std::string docx =
      make_docx({U"2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务。"});
  std::string corrupt = docx;
  // Damage the deflated document.xml: the bytes after its local header name.
  const std::size_t at = corrupt.find("word/document.xml");
  ASSERT_NE(at, std::string::npos);
  for (std::size_t i = at + 40; i < at + 120 && i < corrupt.size(); ++i)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5A);
  const std::string pdf = make_pdf({U"全面推进严格规范公正文明执法，深化行政执法体制改革。"}, U"");
  struct Case {
    std::string name, bytes, reason;
  };
  const std::vector<Case> cases = {
      {"empty.txt", "", "empty file"},
      {"spaces.txt", " \n\t\r\n\u3000", "no text"},
      {"punct.md", "，。！？……——“”、；：\n...!?", "no text"},
      {"binary.txt",
       std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) + "abc" + std::string(40, '\x01'),
       "binary data"},
      {"nul.txt", std::string("报告\0\0\0", 9), "binary data"},
      {"invalid.txt", "法治政府建设年度报告。\xFF全面提升依法治理能力和水平。", "invalid UTF-8"},
      {"odd.txt", "\xFF\xFE\x41", "truncated UTF-16"},
      {"truncated.docx", docx.substr(0, docx.size() / 2), "truncated or corrupt zip"},
      {"corrupt.docx", corrupt, "corrupt"},
      {"text.pdf", "这不是PDF，是一段文字，被存成了 .pdf 文件。", "not a PDF"},
      {"error-page.pdf", "<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
       "not a PDF"},
      {"damaged.pdf", "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
       "damaged PDF"},
      {"cut.pdf", pdf.substr(0, pdf.size() / 3), "PDF"},
      {"scanned.pdf", make_scanned_pdf(2), "scanned PDF without a text layer"},
      {"bomb.docx", make_zip_bomb(4u << 20, false), "unpacks to more than"},
      {"lying-bomb.docx", make_zip_bomb(4u << 20, true), "unpacks to more than"},
      {"legacy.doc", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, '\0'),
       "legacy Office"},
      {"letter.rtf", "{\\rtf1\\ansi 2024}", "RTF"},
      {"scan.png", std::string("\x89PNG\r\n\x1A\n", 8) + std::string(64, '\0'), "image"},
      {"report.docx", "2024年法治政府建设年度报告。", "not a Word .docx"},
      {"huge.txt", std::string(2048, 'a'), "file too large"},
  };
  ExtractParams params;
  params.max_unpacked_bytes = 1u << 20;
  for (const Case& c : cases) {
    if (c.reason.empty()) continue;
    ExtractParams p = params;
    if (c.name == "huge.txt") p.max_file_bytes = 1024;
    const std::string message = refusal(c.bytes, c.name, p);
    EXPECT_TRUE(message.rfind(c.name + ": ", 0) == 0) << c.name << ": " << message;
    EXPECT_TRUE(contains(message, c.reason)) << c.name << ": " << message;
  }
}

TEST(Extract, ZipBombIsRefusedAtTheDefaultCap) {
  // 300 MiB of XML in a 300 KiB zip: refused from its declared size, and when the size is hidden,
  // while inflating (at the 64 MiB cap), without holding more than the cap.
  EXPECT_TRUE(
      contains(refusal(make_zip_bomb(300u << 20, false), "bomb.docx"), "unpacks to more than"));
  EXPECT_TRUE(
      contains(refusal(make_zip_bomb(300u << 20, true), "lying.docx"), "unpacks to more than"));
}

// The main document part as Word shows it: runs joined, tabs and breaks kept, deleted and moved-away
// text, field codes, properties and the Fallback of alternate content left out, a text box's
// paragraph on its own line, a table row on one line (a nested table's cells inside its cell), only
// the first body of the root; the part named by _rels/.rels; any prefix, a default namespace, no
// namespace, the strict namespace, UTF-16.
TEST(Extract, DocxIsReadAsWordShowsIt) {
  const std::string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
  const std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
  const std::string body =
      "<w:body>"
      "<w:p><w:pPr><w:jc w:val=\"center\"/><w:rPr><w:t>不应出现</w:t></w:rPr></w:pPr>"
      "<w:r><w:t xml:space=\"preserve\">  某区2024年</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>法治政府建设</w:t></w:r>"
      "<w:r><w:t>情况报告  </w:t></w:r></w:p>\n"
      "<w:p><w:r><w:t>第一句</w:t><w:tab/><w:t>制表</w:t><w:br/><w:t>换行后</w:t><w:cr/><w:t>回车后</w:t>"
      "<w:noBreakHyphen/><w:t>连字</w:t></w:r></w:p>\n"
      "<w:p><w:r><w:t>保留</w:t></w:r><w:del w:id=\"1\"><w:r><w:delText>删除的文字</w:delText></w:r></w:del>"
      "<w:ins w:id=\"2\"><w:r><w:t>插入的文字</w:t></w:r></w:ins><w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom>"
      "<w:moveTo><w:r><w:t>移到</w:t></w:r></w:moveTo></w:p>\n"
      "<w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>域结果</w:t></w:r>"
      "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:footnoteReference w:id=\"1\"/></w:r>"
      "<w:r><w:t>脚注后&amp;&lt;实体&gt;</w:t></w:r><w:r><w:t><![CDATA[CDATA文字]]></w:t></w:r></w:p>\n"
      "<w:p><w:r><w:t>图前</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
      "<w:txbxContent><w:p><w:r><w:t>文本框内容</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
      "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框备用</w:t></w:r></w:p></w:txbxContent></w:pict>"
      "</mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>图后</w:t></w:r></w:p>\n"
      "<w:p><w:hyperlink r:id=\"rId5\"><w:r><w:t>超链接文字</w:t></w:r></w:hyperlink><w:sdt><w:sdtPr>"
      "<w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent><w:r><w:t>内容控件</w:t></w:r></w:sdtContent></w:sdt>"
      "<w:fldSimple w:instr=\"DATE\"><w:r><w:t>简单域</w:t></w:r></w:fldSimple></w:p>\n"
      "<w:tbl><w:tblPr><w:tblW w:w=\"0\"/></w:tblPr><w:tblGrid><w:gridCol/></w:tblGrid>"
      "<w:tr><w:trPr/><w:tc><w:tcPr/><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>数量</w:t>"
      "</w:r></w:p><w:p><w:r><w:t>第二段</w:t><w:br/><w:t>断行</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc>"
      "<w:tc><w:p><w:r><w:t>  </w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>尾</w:t></w:r></w:p></w:tc></w:tr>"
      "<w:tr><w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内一</w:t></w:r></w:p></w:tc>"
      "<w:tc><w:p><w:r><w:t>内二</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>内三</w:t></w:r></w:p>"
      "</w:tc></w:tr></w:tbl><w:p><w:r><w:t>外后</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>右</w:t></w:r></w:p>"
      "</w:tc></w:tr></w:tbl>\n"
      "<w:p><w:r><w:t>    </w:t></w:r></w:p><w:p><w:r><w:t>段中</w:t></w:r><w:r><w:commentReference w:id=\"0\"/>"
      "</w:r></w:p><!-- 注释 --><?pi 指令?>"
      "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId9\"/><w:pgSz w:w=\"11906\"/></w:sectPr>"
      "</w:body>";
  const std::string document =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"" + w +
      "\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<w:background w:color=\"FFFFFF\"><w:p><w:r><w:t>背景</w:t></w:r></w:p></w:background>" +
      body + "<w:body><w:p><w:r><w:t>第二个正文</w:t></w:r></w:p></w:body></w:document>";
  const std::u32string expected =
      U"某区2024年法治政府建设情况报告\n第一句\t制表\n换行后\n回车后-连字\n保留插入的文字移到\n"
      U"域结果脚注后&<实体>CDATA文字\n图前\n文本框内容\n图后\n超链接文字内容控件简单域\n"
      U"项目\t数量 第二段 断行\t  \t尾\n外 内一 内二 内三 外后\t右\n段中\n";
  ExtractParams keep;
  keep.remove_chrome = false;
  EXPECT_EQ(utf8(extract_bytes(make_zip({{"[Content_Types].xml", types}, {"word/document.xml", document}}),
                               "a.docx", keep)
                     .text),
            utf8(expected));
  const std::string rels =
      "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
      "core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId1\" Type=\"http://schemas."
      "openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/word/main.xml\"/>"
      "</Relationships>";
  EXPECT_EQ(utf8(extract_bytes(make_zip({{"[Content_Types].xml", types},
                                         {"_rels/.rels", rels},
                                         {"word/document.xml", "<不是这个/>"},
                                         {"word/main.xml", document}}),
                               "b.docx", keep)
                     .text),
            utf8(expected));

  auto read = [&](const std::string& xml) {
    return utf8(extract_bytes(make_zip({{"[Content_Types].xml", types}, {"word/document.xml", xml}}), "c.docx",
                              keep)
                    .text);
  };
  EXPECT_EQ(read("<x:document xmlns:x=\"" + w + "\"><x:body><x:p><x:r><x:t>另一个前缀</x:t></x:r></x:p></x:body></x:document>"),
            "另一个前缀\n");
  EXPECT_EQ(read("<document xmlns=\"" + w + "\"><body><p><r><t>默认命名空间</t></r></p><tbl><tr><tc><p><r><t>甲</t></r>"
                 "</p></tc><tc><p><r><t>乙</t></r></p></tc></tr></tbl></body></document>"),
            "默认命名空间\n甲\t乙\n");
  EXPECT_EQ(read("<document><body><p><r><t>无命名空间的文档</t></r></p></body></document>"), "无命名空间的文档\n");
  EXPECT_EQ(read("<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\"><w:body><w:p><w:r>"
                 "<w:t>严格格式的文档</w:t></w:r></w:p></w:body></w:document>"),
            "严格格式的文档\n");
  // Elements of other namespaces named like Word's are not Word's.
  EXPECT_EQ(read("<w:document xmlns:w=\"" + w + "\" xmlns:o=\"urn:other\"><w:body><w:p><w:r><w:t>甲</w:t></w:r>"
                 "<o:tab/><o:br/><o:t>乙</o:t></w:p></w:body></w:document>"),
            "甲\n");
  std::u16string utf16 = u"\uFEFF<?xml version=\"1.0\" encoding=\"UTF-16\"?><w:document xmlns:w=\"";
  for (char c : w) utf16.push_back(static_cast<char16_t>(c));
  utf16 += u"\"><w:body><w:p><w:r><w:t>十六位编码</w:t></w:r></w:p></w:body></w:document>";
  EXPECT_EQ(read(std::string(reinterpret_cast<const char*>(utf16.data()), utf16.size() * 2)), "十六位编码\n");

  // Refused: no body, damaged XML, a document type declaration (where entity bombs begin).
  auto refused = [&](const std::string& xml) {
    return refusal(make_zip({{"[Content_Types].xml", types}, {"word/document.xml", xml}}), "d.docx");
  };
  EXPECT_TRUE(contains(refused("<w:document xmlns:w=\"" + w + "\"><w:p/></w:document>"), "no body in word/document.xml"));
  EXPECT_TRUE(contains(refused("<w:document xmlns:w=\"" + w + "\"><w:body><w:p><w:r><w:t>没有闭合</w:t></w:r></w:body>"
                               "</w:document>"),
                       "d.docx: damaged Word document (word/document.xml: mismatched tag at byte"));
  EXPECT_TRUE(contains(refused("<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a \"啊啊\"><!ENTITY b \"&a;&a;&a;\">]>"
                               "<w:document xmlns:w=\"" + w + "\"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body>"
                               "</w:document>"),
                       "d.docx: damaged Word document (word/document.xml declares a document type"));
}

// The time budget holds for every format: a budget of 0 refuses each file, naming it and the limit.
TEST(Extract, EveryFormatIsRefusedPastTheTimeBudget) {
  const std::vector<std::u32string> paras = {U"2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务。"};
  ExtractParams none;
  none.max_seconds = 0;
  const std::vector<std::pair<std::string, std::string>> files = {
      {"a.txt", utf8(paras[0])},
      {"a.html", make_portal_html(paras, {"报告", "区民政局", "2025-01-10"})},
      {"a.docx", make_docx(paras)},
      {"a.pdf", make_pdf(paras, U"")},
  };
  for (const auto& [name, bytes] : files) {
    EXPECT_FALSE(extract_bytes(bytes, name).text.empty()) << name;
    const std::string message = refusal(bytes, name, none);
    EXPECT_EQ(message.rfind(name + ": reading took longer than the limit of 0 s per file (stopped at ", 0), 0u)
        << message;
  }
}

TEST(Extract, EncryptedPdfIsRefused) {
  // tests/fixtures/encrypted.pdf: a one-page PDF encrypted by qpdf (AES-256, user password
  // "leitong").
  const fs::path fixture = source_dir() / "tests/fixtures/encrypted.pdf";
  try {
    extract_file(fixture);
    ADD_FAILURE() << "encrypted PDF accepted";
  } catch (const Error& e) {
    EXPECT_TRUE(contains(e.what(), "encrypted PDF")) << e.what();
    EXPECT_TRUE(std::string(e.what()).rfind(fixture.string() + ": ", 0) == 0) << e.what();
  }
}

TEST(Extract, OtherZipFilesAreNamed) {
  // An .xlsx-like and an .odt-like container, and a plain zip.
  auto zip_with = [](const std::string& marker) {
    std::string docx = make_docx({U"文字"});
    // Rename word/document.xml in place (same length) so the zip holds no Word document.
    for (std::size_t at = docx.find("word/document.xml"); at != std::string::npos;
         at = docx.find("word/document.xml", at))
      docx.replace(at, marker.size(), marker);
    return docx;
  };
  EXPECT_TRUE(contains(refusal(zip_with("xl/workbook.xml00"), "a.zip"), "not a Word document"));
}

// ---------------------------------------------------------------------------------------------
// Formats: the same report in every format matches the archive like its clean text.

class Formats : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    archive_ = new Archive(Archive::open(dir_->path() / "a.db", Archive::Mode::kReadWrite));
    add_seeds(*archive_, seeds());
  }
  static void TearDownTestSuite() {
    delete archive_;
    delete dir_;
  }

  struct Result {
    std::string top_file;
    double top_ratio = 0, copy_ratio = 0;
  };

  static Result check_file(const fs::path& path) {
    Document report;
    report.info = {0, path.filename().string(), kLuohu, 2025, DocumentKind::kReport};
    report.text = extract_file(path).text;
    const Findings f = check_against_archive(*archive_, report);
    Result r;
    if (!f.sources.empty())
      r.top_file = f.sources[0].document.file, r.top_ratio = f.sources[0].copy_ratio;
    r.copy_ratio = f.copy_ratio;
    return r;
  }

  static TempDir* dir_;
  static Archive* archive_;
};

TempDir* Formats::dir_ = nullptr;
Archive* Formats::archive_ = nullptr;

// Re-typed: ASCII digits full-width, Chinese and ASCII punctuation swapped, a hard line break
// every 30 characters inside paragraphs.
std::u32string retyped(std::u32string_view text) {
  static constexpr std::pair<char32_t, char32_t> kSwap[] = {
      {U'，', U','}, {U'。', U'.'}, {U'；', U';'}, {U'：', U':'},
      {U'（', U'('}, {U'）', U')'}, {U'！', U'!'}, {U'？', U'?'}};
  std::u32string out;
  std::size_t column = 0;
  for (char32_t c : text) {
    if (c >= U'0' && c <= U'9') c = c - U'0' + U'０';
    for (const auto& [zh, ascii] : kSwap) {
      if (c == zh) {
        c = ascii;
        break;
      }
      if (c == ascii) {
        c = zh;
        break;
      }
    }
    out.push_back(c);
    column = c == U'\n' ? 0 : column + 1;
    if (column == 30) {
      out.push_back(U'\n');
      column = 0;
    }
  }
  return out;
}

TEST_F(Formats, SameReportInEveryFormatGivesTheSameTopSource) {
  const fs::path clean = corpora_dir() / kCase;
  const std::u32string text = extract_file(clean).text;
  const std::vector<std::u32string> paras = lines_of(text);
  const fs::path& dir = dir_->path();
  write_file(dir / "gb18030.txt", to_gb18030(utf8(retyped(text))));
  write_file(dir / "report.docx", make_docx(paras));
  PortalPage page{"深圳市罗湖区民政局2025年法治政府建设年度报告", "深圳市罗湖区民政局",
                  "2026-01-20", "gb2312"};
  write_file(dir / "report.html", to_gb18030(make_portal_html(paras, page)));
  write_file(dir / "report.pdf", make_pdf(paras, U"深圳市罗湖区民政局2025年法治政府建设年度报告"));

  const Result base = check_file(clean);
  ASSERT_EQ(base.top_file, seed("luohu-minzheng-2024").file);
  ASSERT_GT(base.copy_ratio, 0.5);
  std::printf("[formats] %-12s copy_ratio %.3f  top %.3f  %s\n", "clean .txt", base.copy_ratio,
              base.top_ratio, base.top_file.c_str());
  for (const char* name : {"gb18030.txt", "report.docx", "report.html", "report.pdf"}) {
    const Result r = check_file(dir / name);
    std::printf("[formats] %-12s copy_ratio %.3f  top %.3f  %s (%s)\n", name, r.copy_ratio,
                r.top_ratio, r.top_file.c_str(), extract_file(dir / name).format.c_str());
    EXPECT_EQ(r.top_file, base.top_file) << name;
    EXPECT_NEAR(r.copy_ratio, base.copy_ratio, 0.05) << name;
    EXPECT_NEAR(r.top_ratio, base.top_ratio, 0.05) << name;
  }
  // The docx and html texts are the report's paragraphs exactly, the pdf's too but for spaces
  // between ideographs.
  for (const char* name : {"report.docx", "report.html"})
    EXPECT_EQ(utf8(extract_file(dir / name).text), utf8(joined(paras))) << name;
  EXPECT_EQ(utf8(extract_file(dir / "report.pdf").text), utf8(squeezed(joined(paras))));
}

// ---------------------------------------------------------------------------------------------
// ExtractCli: the command line


std::vector<std::string> text_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_refusal(const std::string& err, const std::string& file) {
  for (const auto& line : text_lines(err))
    if (line.rfind("leitong: " + file + ": ", 0) == 0 && line.size() > file.size() + 11)
      return true;
  return false;
}

class ExtractCli : public ::testing::Test {
 protected:
  CliResult run(const std::vector<std::string>& args) { return run_cli(args, dir_.path()); }
  json stats(const std::string& archive) {
    const CliResult r = run({"stats", "--archive", archive, "--format", "json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return json::parse(r.out);
  }
  TempDir dir_;
};

TEST_F(ExtractCli, ExtractPrintsExactlyTheComparedText) {
  for (const char* rel : {"reports/fanwen-page-2023.txt", "reports/shapingba-minzheng-2024.txt",
                          "cases/luohu-minzheng-2025.txt"}) {
    const fs::path path = corpora_dir() / rel;
    const CliResult r = run({"extract", path.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    std::string expected = encode_utf8(extract_file(path).text);
    if (!expected.empty() && expected.back() != '\n') expected += '\n';
    EXPECT_EQ(r.out, expected) << rel;
  }
  // Seed 003 as a template page: none of its chrome in what `extract` prints.
  const CliResult fanwen =
      run({"extract", (corpora_dir() / "reports/fanwen-page-2023.txt").string()});
  for (const char* chrome :
       {"更新时间", "下载docx", "将本文的Word文档下载到电脑", "推荐度", "2022-11-19"})
    EXPECT_FALSE(contains(fanwen.out, chrome)) << chrome;

  const CliResult j = run({"extract", "--format", "json",
                           (corpora_dir() / "reports/shapingba-minzheng-2024.txt").string()});
  ASSERT_EQ(j.status, 0) << j.err;
  const json doc = json::parse(j.out);
  EXPECT_EQ(doc.at("schema"), "leitong.extract/1");
  EXPECT_EQ(doc.at("format"), "text/utf-8");
  EXPECT_EQ(doc.at("metadata").at("agency"), "重庆市沙坪坝区民政局");
  EXPECT_EQ(doc.at("metadata").at("year"), 2024);
  EXPECT_EQ(doc.at("removed").size(), 4u);
  EXPECT_EQ(doc.at("chars").get<std::size_t>(),
            count_non_whitespace(u32(doc.at("text").get<std::string>())));
}

TEST_F(ExtractCli, AddAndCheckFillInAgencyAndYearFromTheFile) {
  const std::string shapingba = (corpora_dir() / "reports/shapingba-minzheng-2024.txt").string();
  const CliResult a = run({"add", "--archive", "a.db", shapingba});
  ASSERT_EQ(a.status, 0) << a.err;
  EXPECT_TRUE(contains(a.out, "note")) << a.out;
  EXPECT_TRUE(contains(a.out, "agency 重庆市沙坪坝区民政局 from its title (名称 field)")) << a.out;
  EXPECT_TRUE(contains(a.out, "(重庆市沙坪坝区民政局, 2024, report)")) << a.out;
  // check: the same, told on stderr; stdout stays the findings.
  const CliResult c = run({"check", "--archive", "a.db", "--format", "json", shapingba});
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_TRUE(contains(c.err, "agency 重庆市沙坪坝区民政局")) << c.err;
  const json j = json::parse(c.out);
  EXPECT_EQ(j.at("document").at("agency"), "重庆市沙坪坝区民政局");
  EXPECT_EQ(j.at("document").at("year"), 2024);
  // A file that names neither: refused, nothing created.
  const std::string luohu = (corpora_dir() / kCase).string();
  EXPECT_EQ(run({"add", "--archive", "b.db", luohu}).status, 1);
  EXPECT_FALSE(fs::exists(dir_.path() / "b.db"));
  EXPECT_EQ(run({"check", "--archive", "a.db", "--year", "2025", luohu}).status, 2);
}

TEST_F(ExtractCli, AddFolderWalksItsDocuments) {
  const fs::path folder = dir_.path() / "收集";
  fs::create_directories(folder / "sub");
  fs::create_directories(folder / ".hidden");
  const auto paras = lines_of(squeezed(extract_file(corpora_dir() / kCase).text));
  const std::u32string text = joined(paras);
  write_file(folder / "a.txt", utf8(text));
  write_file(folder / "sub" / "b.docx", make_docx(paras));
  write_file(folder / "sub" / "c.html", make_portal_html(paras, {"x", "y", "2026-01-01", "utf-8"}));
  write_file(folder / "d.pdf", make_pdf(paras, U"页眉"));
  write_file(folder / "photo.jpg", "\xFF\xD8\xFF\xE0 not scanned");
  write_file(folder / ".hidden" / "e.txt", utf8(text));
  const CliResult r =
      run({"add", "--archive", "a.db", "--agency", kLuohu, "--year", "2025", "--progress", "收集"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "1 file of other types in the folders skipped")) << r.out;
  EXPECT_TRUE(contains(r.err, "[4/4]")) << r.err;
  const json s = stats("a.db");
  // The four files hold the same text except for chrome and line layout: the .txt, .docx, .html and
  // .pdf extract to identical text, so one is added and three are already present.
  EXPECT_EQ(s.at("documents").get<int>(), 1) << r.out;
  EXPECT_TRUE(contains(r.out, "3 already present")) << r.out;
  // An empty folder is refused.
  fs::create_directories(dir_.path() / "empty");
  const CliResult e =
      run({"add", "--archive", "a.db", "--agency", kLuohu, "--year", "2025", "empty"});
  EXPECT_EQ(e.status, 1);
  EXPECT_TRUE(has_refusal(e.err, "empty")) << e.err;
}

TEST_F(ExtractCli, EveryBadInputIsRefusedAndTheArchiveUnchanged) {
  ASSERT_EQ(run({"add", "-q", "--archive", "a.db", "--manifest",
                 (corpora_dir() / "manifest.csv").string()})
                .status,
            0);
  const json before = stats("a.db");
  const std::string docx =
      make_docx({U"2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务。"});
  std::map<std::string, std::string> bad = {
      {"empty.txt", ""},
      {"blank.txt", "  \n\t \u3000\n"},
      {"punct.txt", "，。！？……——“”\n"},
      {"binary.dat", std::string("\x7F"
                                 "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                                 16) +
                         std::string(100, '\0')},
      {"invalid.txt", "法治政府建设年度报告。\xFF全面提升依法治理能力和水平。"},
      {"truncated.docx", docx.substr(0, docx.size() / 2)},
      {"notpdf.pdf", "<html><body>404 Not Found 页面不存在</body></html>"},
      {"scanned.pdf", make_scanned_pdf(1)},
      {"bomb.docx", make_zip_bomb(300u << 20, true)},
      {"legacy.doc", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(512, '\0')},
      {"big.txt", std::string(1536u << 10, 'a')},
  };
  for (const auto& [name, bytes] : bad) write_file(dir_.path() / name, bytes);
  fs::copy_file(source_dir() / "tests/fixtures/encrypted.pdf", dir_.path() / "encrypted.pdf");
  bad["encrypted.pdf"] = "";
  write_file(dir_.path() / "good.txt",
             read_bytes(corpora_dir() / "reports/hechuan-sifa-2024.txt") +
                 "\n附件：2025年度法治政府建设重点任务清单及责任分工方案。\n");

  std::vector<std::string> args = {"add",      "--archive",          "a.db",
                                   "--agency", "重庆市合川区司法局", "--year",
                                   "2025",     "--max-file-mb",      "1"};
  for (const auto& [name, bytes] : bad) args.push_back(name);
  args.push_back("good.txt");
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 1) << r.err;
  for (const auto& [name, bytes] : bad)
    EXPECT_TRUE(has_refusal(r.err, name)) << name << "\n" << r.err;
  EXPECT_FALSE(has_refusal(r.err, "good.txt")) << r.err;
  for (const auto& line : text_lines(r.err)) EXPECT_EQ(line.rfind("leitong: ", 0), 0u) << line;
  const json after = stats("a.db");
  EXPECT_EQ(after.at("documents").get<int>(), before.at("documents").get<int>() + 1);

  // Only bad files: nothing at all changes; check of each is refused the same way.
  std::vector<std::string> only_bad(args.begin(), args.end() - 1);
  only_bad[6] = "2026";
  const CliResult r2 = run(only_bad);
  EXPECT_EQ(r2.status, 1);
  const json after2 = stats("a.db");
  for (const char* key :
       {"documents", "agencies", "text_chars", "text_bytes", "index_bytes", "postings"})
    EXPECT_EQ(after2.at(key), after.at(key)) << key;
  for (const auto& [name, bytes] : bad) {
    const CliResult c = run({"check", "--archive", "a.db", "--agency", kLuohu, "--year", "2025",
                             "--max-file-mb", "1", "--format", "json", name});
    EXPECT_EQ(c.status, 1) << name << ": " << c.err;
    EXPECT_TRUE(has_refusal(c.err, name)) << name << ": " << c.err;
    EXPECT_TRUE(c.out.empty()) << name;
    const CliResult x = run({"extract", "--max-file-mb", "1", name});
    EXPECT_EQ(x.status, 1) << name;
    EXPECT_TRUE(has_refusal(x.err, name)) << name << ": " << x.err;
  }
  EXPECT_EQ(stats("a.db").at("documents"), after.at("documents"));
}

}  // namespace
}  // namespace leitong::testing

namespace leitong::testing {
namespace {

// Damaged copies of valid files (bytes flipped, cut short) are read or refused, never a crash.
TEST(Extract, DamagedFilesNeverCrash) {
  const std::vector<std::u32string> paras = {
      U"2024年，区民政局坚持依法行政，全面落实法治政府建设各项任务。", U"一、主要举措和成效",
      U"全年共办理行政许可事项1,234件。"};
  const std::vector<std::pair<std::string, std::string>> originals = {
      {"a.docx", make_docx(paras)},
      {"a.pdf", make_pdf(paras, U"页眉")},
      {"a.html", make_portal_html(paras, {"t", "a", "2025-01-01", "utf-8"})},
      {"a.txt", to_gb18030(utf8(paras[0]))}};
  Random rng(2024);
  std::size_t read = 0, refused = 0;
  for (const auto& [name, bytes] : originals) {
    for (int t = 0; t < 150; ++t) {
      std::string damaged = bytes;
      const int flips = 1 + static_cast<int>(rng.below(8));
      for (int k = 0; k < flips; ++k)
        damaged[rng.below(damaged.size())] = static_cast<char>(rng.below(256));
      if (rng.chance(0.3)) damaged.resize(rng.below(damaged.size()));
      try {
        extract_bytes(damaged, name);
        ++read;
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(name + ": ", 0), 0u) << e.what();
        ++refused;
      }
    }
  }
  EXPECT_EQ(read + refused, 600u);
}

}  // namespace
}  // namespace leitong::testing
