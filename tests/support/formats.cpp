#include "formats.h"

#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <unicode/ucnv.h>
#include <zip.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <list>
#include <map>

namespace leitong::testing {

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

constexpr const char* kContentTypes =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" "
    "ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "</Types>";

constexpr const char* kRels =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"word/document.xml\"/>"
    "</Relationships>";

constexpr const char* kDocumentOpen =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<w:document xmlns:wpc=\"http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas\" "
    "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" "
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" mc:Ignorable=\"w14\">"
    "<w:body>";

constexpr const char* kDocumentClose =
    "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>";

// A paragraph as Word writes it: properties, then runs of a few characters each.
std::string docx_paragraph(std::u32string_view text) {
  std::string p =
      "<w:p><w:pPr><w:ind w:firstLineChars=\"200\"/><w:rPr><w:rFonts "
      "w:hint=\"eastAsia\"/></w:rPr></w:pPr>";
  for (std::size_t i = 0; i < text.size(); i += 7) {
    const std::string run = encode_utf8(text.substr(i, 7));
    p += "<w:r><w:rPr><w:rFonts w:ascii=\"仿宋\" w:eastAsia=\"仿宋\"/><w:sz "
         "w:val=\"32\"/></w:rPr><w:t xml:space=\"preserve\">" +
         xml_escape(run) + "</w:t></w:r>";
    if (i == 0 && text.size() > 14)
      p += "<w:proofErr w:type=\"spellStart\"/><w:bookmarkStart w:id=\"0\" "
           "w:name=\"_GoBack\"/><w:bookmarkEnd w:id=\"0\"/>";
  }
  return p + "</w:p>";
}

}  // namespace

std::string to_gb18030(std::string_view utf8) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  const int32_t n = ucnv_convert("gb18030", "utf-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &status);
  if (U_FAILURE(status)) throw Error(std::string("ucnv_convert: ") + u_errorName(status));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string make_docx(const std::vector<std::u32string>& paragraphs,
                      const std::vector<std::vector<std::u32string>>& table,
                      const std::string& title) {
  std::string document = kDocumentOpen;
  for (const auto& p : paragraphs) document += docx_paragraph(p);
  if (!table.empty()) {
    document +=
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" "
        "w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol/></w:tblGrid>";
    for (const auto& row : table) {
      document += "<w:tr>";
      for (const auto& cell : row) document += "<w:tc><w:tcPr/>" + docx_paragraph(cell) + "</w:tc>";
      document += "</w:tr>";
    }
    document += "</w:tbl><w:p/>";
  }
  document += kDocumentClose;
  std::string core =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<cp:coreProperties "
      "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>" +
      xml_escape(title) + "</dc:title><dc:creator>admin</dc:creator></cp:coreProperties>";

  // Written to memory through a libzip buffer source (libzip's in-memory pattern).
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!source) throw Error("zip_source_buffer_create failed");
  zip_source_keep(source);
  zip_t* z = zip_open_from_source(source, ZIP_TRUNCATE, &error);
  if (!z) throw Error("zip_open_from_source failed");
  std::list<std::string> keep;  // member data must live until zip_close
  auto add = [&](const char* name, std::string data) {
    keep.push_back(std::move(data));
    zip_source_t* s = zip_source_buffer(z, keep.back().data(), keep.back().size(), 0);
    if (!s || zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) < 0)
      throw Error(std::string("zip_file_add ") + name);
  };
  add("[Content_Types].xml", kContentTypes);
  add("_rels/.rels", kRels);
  add("word/document.xml", document);
  add("docProps/core.xml", core);
  if (zip_close(z) != 0) throw Error("zip_close failed");
  zip_stat_t st;
  if (zip_source_open(source) != 0 || zip_source_stat(source, &st) != 0)
    throw Error("reading the zip back failed");
  std::string bytes(static_cast<std::size_t>(st.size), '\0');
  if (zip_source_read(source, bytes.data(), st.size) != static_cast<zip_int64_t>(st.size))
    throw Error("reading the zip back failed");
  zip_source_close(source);
  zip_source_free(source);
  return bytes;
}

std::string make_portal_html(const std::vector<std::u32string>& paragraphs,
                             const PortalPage& page) {
  const std::string title = xml_escape(page.title), agency = xml_escape(page.agency),
                    date = xml_escape(page.date);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"" + page.charset +
      "\">\n<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
      "<title>" +
      title +
      "_重庆市沙坪坝区人民政府</title>\n"
      "<meta name=\"SiteName\" content=\"重庆市沙坪坝区人民政府\">\n"
      "<meta name=\"SiteIDCode\" content=\"5001060001\">\n"
      "<meta name=\"ColumnName\" content=\"法治政府建设年度报告\">\n"
      "<meta name=\"ArticleTitle\" content=\"" +
      title +
      "\">\n"
      "<meta name=\"PubDate\" content=\"" +
      date +
      " 09:30\">\n"
      "<meta name=\"ContentSource\" content=\"" +
      agency +
      "\">\n"
      "<link rel=\"stylesheet\" href=\"/css/main.css\">\n"
      "<style>.nav li{float:left} p{text-indent:2em} .share a:after{content:\"分享\"}</style>\n"
      "<script>var tips = \"<p>这不是正文，是脚本里的字符串。</p>\"; function "
      "fontZoom(s){document.getElementById('zoom').style.fontSize=s+'px';}</script>\n"
      "</head>\n<body>\n"
      "<div class=\"top-bar\"><span>今天是2025年2月14日</span> <a href=\"#\">无障碍</a> <a "
      "href=\"#\">长者模式</a> <a href=\"#\">登录</a></div>\n"
      "<div class=\"header\"><div class=\"logo\">重庆市沙坪坝区人民政府</div>\n"
      "<ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/zwgk\">政务公开</a></li>"
      "<li><a href=\"/zwfw\">政务服务</a></li><li><a href=\"/hdjl\">互动交流</a></li><li><a "
      "href=\"/zjsp\">走进沙坪坝</a></li></ul></div>\n"
      "<div class=\"container\">\n"
      "<div class=\"location\">当前位置：<a href=\"/\">首页</a> &gt; <a "
      "href=\"/zwgk\">政务公开</a> &gt; "
      "<a href=\"/zwgk/fdzdgknr\">法定主动公开内容</a> &gt; 法治政府建设</div>\n"
      "<table class=\"xxgk-info\" border=\"1\">\n"
      "<tr><td>索引号：</td><td>11500106009290497H/2025-00032</td><td>信息分类名称：</"
      "td><td>民政、乡村振兴、救灾/工作报告</td></tr>\n"
      "<tr><td>发布机构：</td><td>" +
      agency + "</td><td>生成日期：</td><td>" + date + "</td><td>发布日期：</td><td>" + date +
      "</td></tr>\n"
      "<tr><td>名称：</td><td colspan=\"5\">" +
      title +
      "</td></tr>\n"
      "<tr><td>文号：</td><td>沙民政文〔2025〕1号</td><td>主题词：</td><td></td></tr>\n"
      "</table>\n"
      "<div class=\"article\">\n<h1 class=\"article-title\">" +
      title +
      "</h1>\n"
      "<div class=\"article-info\">发布时间：" +
      date + " 来源：" + agency +
      " 浏览次数：1024 <span class=\"fontsize\">【字体：<a href=\"javascript:fontZoom(20)\">大</a> "
      "<a href=\"javascript:fontZoom(16)\">中</a> <a "
      "href=\"javascript:fontZoom(14)\">小</a>】</span> "
      "<a href=\"javascript:window.print()\">打印</a></div>\n"
      "<div class=\"TRS_Editor\" id=\"zoom\">\n";
  for (const auto& p : paragraphs)
    h += "<p style=\"text-indent:2em;line-height:2\">&nbsp;&nbsp;" + xml_escape(encode_utf8(p)) +
         "</p>\n";
  h += "</div>\n"
       "<div class=\"share\">分享到：<a href=\"#\">微信</a> <a href=\"#\">微博</a> <a "
       "href=\"#\">QQ空间</a></div>\n"
       "<div class=\"print-close\"><a href=\"javascript:window.print()\">【打印本页】</a> "
       "<a href=\"javascript:window.close()\">【关闭窗口】</a></div>\n"
       "<div class=\"related\"><h3>相关文档</h3><ul>\n"
       "<li><a href=\"/a1\">重庆市沙坪坝区民政局关于2023年推进法治政府建设情况的报告</a></li>\n"
       "<li><a href=\"/a2\">重庆市沙坪坝区民政局2024年政府信息公开工作年度报告</a></li>\n"
       "<li><a href=\"/a3\">沙坪坝区2024年度法治政府建设工作要点</a></li>\n"
       "</ul></div>\n</div>\n</div>\n"
       "<div class=\"footer\">\n<p>主办：重庆市沙坪坝区人民政府办公室 "
       "承办：重庆市沙坪坝区大数据应用发展管理局</p>\n"
       "<p>网站标识码：5001060001 <a href=\"https://beian.miit.gov.cn\">渝ICP备05003300号</a> "
       "渝公网安备 50010602500000号</p>\n"
       "<p>地址：重庆市沙坪坝区天星桥正街1号 邮编：400030</p>\n</div>\n"
       "<script>document.write('<div>统计代码</div>');</script>\n"
       "</body>\n</html>\n";
  return h;
}

namespace {

// Minimal PDF writer: objects numbered in order, xref table computed from their offsets.
class PdfWriter {
 public:
  int reserve() { return ++count_; }
  void set(int id, std::string body) { bodies_[id] = std::move(body); }
  int add(std::string body) {
    const int id = reserve();
    set(id, std::move(body));
    return id;
  }
  static std::string stream(std::string_view dict_extra, std::string_view data) {
    return "<< /Length " + std::to_string(data.size()) + std::string(dict_extra) + " >>\nstream\n" +
           std::string(data) + "\nendstream";
  }
  std::string finish(int catalog) const {
    std::string out = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets(static_cast<std::size_t>(count_) + 1, 0);
    for (const auto& [id, body] : bodies_) {
      offsets[static_cast<std::size_t>(id)] = out.size();
      out += std::to_string(id) + " 0 obj\n" + body + "\nendobj\n";
    }
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(count_ + 1) + "\n0000000000 65535 f \n";
    char line[32];
    for (int id = 1; id <= count_; ++id) {
      std::snprintf(line, sizeof line, "%010zu 00000 n \n", offsets[static_cast<std::size_t>(id)]);
      out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(count_ + 1) + " /Root " + std::to_string(catalog) +
           " 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
  }

 private:
  int count_ = 0;
  std::map<int, std::string> bodies_;
};

std::string to_unicode_cmap() {
  std::string cmap =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  std::vector<int> rows;
  for (int hi = 0; hi < 256; ++hi)
    if (hi < 0xD8 || hi > 0xDF) rows.push_back(hi);
  char buf[64];
  for (std::size_t i = 0; i < rows.size(); i += 100) {
    const std::size_t n = std::min<std::size_t>(100, rows.size() - i);
    cmap += std::to_string(n) + " beginbfrange\n";
    for (std::size_t k = 0; k < n; ++k) {
      std::snprintf(buf, sizeof buf, "<%02X00> <%02XFF> <%02X00>\n", rows[i + k], rows[i + k],
                    rows[i + k]);
      cmap += buf;
    }
    cmap += "endbfrange\n";
  }
  return cmap + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend";
}

double char_width(char32_t c, double size) { return c < 0x80 ? size / 2 : size; }

std::string hex_text(std::u32string_view text) {
  std::string out = "<";
  char buf[8];
  for (char32_t c : text) {
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(c > 0xFFFF ? 0xFFFD : c));
    out += buf;
  }
  return out + ">";
}

}  // namespace

std::string make_pdf(const std::vector<std::u32string>& paragraphs, std::u32string_view header) {
  constexpr double kPageW = 595, kPageH = 842, kLeft = 72, kWidth = 451, kSize = 12, kStep = 21;
  constexpr double kTop = 760, kBottom = 80;
  // Lay the text out: paragraphs wrapped greedily, first lines indented by two characters.
  struct Placed {
    std::u32string text;
    double x;
  };
  std::vector<std::vector<Placed>> pages(1);
  double y = kTop;
  auto place = [&](std::u32string text, double x) {
    if (y < kBottom) {
      pages.emplace_back();
      y = kTop;
    }
    pages.back().push_back({std::move(text), x});
    y -= kStep;
  };
  for (const auto& p : paragraphs) {
    double x = kLeft + 2 * kSize, used = 2 * kSize;
    std::u32string line;
    for (char32_t c : p) {
      if (c == U'\n' || c == U'\r') continue;
      const double w = char_width(c, kSize);
      if (used + w > kWidth + 0.01) {
        place(line, x);
        line.clear();
        x = kLeft;
        used = 0;
      }
      line.push_back(c);
      used += w;
    }
    if (!line.empty()) place(line, x);
  }

  PdfWriter pdf;
  const int catalog = pdf.reserve(), pages_id = pdf.reserve();
  const int descriptor = pdf.add(
      "<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [-8 -145 1000 859] "
      "/ItalicAngle 0 "
      "/Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>");
  const int cid_font = pdf.add(
      "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
      "/Ordering (Identity) /Supplement 0 >> /FontDescriptor " +
      std::to_string(descriptor) + " 0 R /DW 1000 /W [32 126 500] /CIDToGIDMap /Identity >>");
  const int cmap = pdf.add(PdfWriter::stream("", to_unicode_cmap()));
  const int font = pdf.add(
      "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [" +
      std::to_string(cid_font) + " 0 R] /ToUnicode " + std::to_string(cmap) + " 0 R >>");
  std::string kids;
  char buf[128];
  for (std::size_t i = 0; i < pages.size(); ++i) {
    std::string content;
    auto draw = [&](std::u32string_view text, double x, double yy, double size) {
      std::snprintf(buf, sizeof buf, "BT /F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm ", size, x, yy);
      content += buf + hex_text(text) + " Tj ET\n";
    };
    if (!header.empty()) {
      double w = 0;
      for (char32_t c : header) w += char_width(c, 9);
      draw(header, (kPageW - w) / 2, 800, 9);
    }
    double yy = kTop;
    for (const Placed& l : pages[i]) {
      draw(l.text, l.x, yy, kSize);
      yy -= kStep;
    }
    const std::string digits = std::to_string(i + 1);
    const std::u32string number = U"- " + std::u32string(digits.begin(), digits.end()) + U" -";
    double w = 0;
    for (char32_t c : number) w += char_width(c, 10.5);
    draw(number, (kPageW - w) / 2, 40, 10.5);
    const int contents = pdf.add(PdfWriter::stream("", content));
    const int page =
        pdf.add("<< /Type /Page /Parent " + std::to_string(pages_id) + " 0 R /MediaBox [0 0 " +
                std::to_string(int(kPageW)) + " " + std::to_string(int(kPageH)) +
                "] /Resources << /Font << /F1 " + std::to_string(font) + " 0 R >> >> /Contents " +
                std::to_string(contents) + " 0 R >>");
    kids += std::to_string(page) + " 0 R ";
  }
  pdf.set(pages_id,
          "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>");
  pdf.set(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages_id) + " 0 R >>");
  return pdf.finish(catalog);
}

std::string make_scanned_pdf(int pages) {
  PdfWriter pdf;
  const int catalog = pdf.reserve(), pages_id = pdf.reserve();
  std::string pixels;
  for (int i = 0; i < 64 * 64; ++i)
    pixels.push_back(static_cast<char>((i * 7 + i / 64 * 13) & 0xFF));
  const int image =
      pdf.add(PdfWriter::stream(" /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace "
                                "/DeviceGray /BitsPerComponent 8",
                                pixels));
  std::string kids;
  for (int i = 0; i < pages; ++i) {
    const int contents = pdf.add(PdfWriter::stream("", "q 451 0 0 698 72 72 cm /Im1 Do Q\n"));
    const int page = pdf.add("<< /Type /Page /Parent " + std::to_string(pages_id) +
                             " 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 " +
                             std::to_string(image) + " 0 R >> >> /Contents " +
                             std::to_string(contents) + " 0 R >>");
    kids += std::to_string(page) + " 0 R ";
  }
  pdf.set(pages_id, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
  pdf.set(catalog, "<< /Type /Catalog /Pages " + std::to_string(pages_id) + " 0 R >>");
  return pdf.finish(catalog);
}

namespace {

void put16(std::string& s, unsigned v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

struct Member {
  std::string name, data;  // data: stored bytes (deflated when method is 8)
  unsigned method;
  std::uint32_t crc, size;  // size: declared uncompressed size
};

std::string write_zip(const std::vector<Member>& members) {
  std::string out, central;
  for (const Member& m : members) {
    const std::uint32_t offset = static_cast<std::uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, m.method);
    put16(out, 0);
    put16(out, 0x21);
    put32(out, m.crc);
    put32(out, static_cast<std::uint32_t>(m.data.size()));
    put32(out, m.size);
    put16(out, static_cast<unsigned>(m.name.size()));
    put16(out, 0);
    out += m.name + m.data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, m.method);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, m.crc);
    put32(central, static_cast<std::uint32_t>(m.data.size()));
    put32(central, m.size);
    put16(central, static_cast<unsigned>(m.name.size()));
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put32(central, 0);
    put32(central, offset);
    central += m.name;
  }
  const std::uint32_t cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<unsigned>(members.size()));
  put16(out, static_cast<unsigned>(members.size()));
  put32(out, static_cast<std::uint32_t>(central.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

Member stored(std::string name, std::string data) {
  const auto crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  const auto size = static_cast<std::uint32_t>(data.size());
  return {std::move(name), std::move(data), 0, crc, size};
}

}  // namespace

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<Member> members;
  for (const auto& [name, data] : entries) members.push_back(stored(name, data));
  return write_zip(members);
}

std::string make_zip_bomb(std::size_t unpacked, bool lie, const std::string& member) {
  const std::string head = std::string(kDocumentOpen) + "<w:p><w:r><w:t>";
  const std::string tail = std::string("</w:t></w:r></w:p>") + kDocumentClose;
  const std::string chunk(1 << 20, ' ');
  const std::size_t chunks =
      (unpacked > head.size() + tail.size() ? unpacked - head.size() - tail.size() : 0) /
          chunk.size() +
      1;

  // Raw deflate. After a full flush the compressor starts afresh, so one compressed chunk can be
  // repeated as often as wanted: the bomb is built without compressing all of it.
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("deflateInit2");
  std::string buffer(1 << 21, '\0');
  auto compress = [&](const std::string& in, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::string out;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer.data());
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, flush);
      out.append(buffer.data(), buffer.size() - z.avail_out);
    } while (z.avail_out == 0 || z.avail_in > 0);
    return out;
  };
  std::string data = compress(head, Z_FULL_FLUSH);
  const std::string repeated = compress(chunk, Z_FULL_FLUSH);
  for (std::size_t i = 0; i < chunks; ++i) data += repeated;
  data += compress(tail, Z_FINISH);
  deflateEnd(&z);

  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size()));
  for (std::size_t i = 0; i < chunks; ++i)
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()));
  crc = crc32(crc, reinterpret_cast<const Bytef*>(tail.data()), static_cast<uInt>(tail.size()));
  const std::size_t size = head.size() + chunks * chunk.size() + tail.size();

  std::vector<Member> members = {stored("[Content_Types].xml", kContentTypes),
                                 stored("_rels/.rels", kRels)};
  members.push_back(
      {member, data, 8, static_cast<std::uint32_t>(crc),
       lie ? 1024u : static_cast<std::uint32_t>(std::min<std::size_t>(size, 0xFFFFFFFFu))});
  return write_zip(members);
}

}  // namespace leitong::testing
