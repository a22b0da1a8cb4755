// DOCX: the zip container read with libzip (with a cap on what it unpacks), the main document
// part parsed with pugixml, body paragraphs and table rows rendered in document order.
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <zip.h>

#include <memory>
#include <pugixml.hpp>
#include <string>
#include <vector>

#include "detail/formats.h"
#include "detail/u32.h"

namespace leitong::detail {

namespace {

constexpr const char* kWordNamespace =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr const char* kMarkupCompatibility =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

class Container {
 public:
  Container(std::string_view bytes, const std::string& file, std::size_t cap)
      : file_(file), left_(cap), cap_(cap) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) {
      zip_error_fini(&error);
      throw_error("{}: cannot read the zip container", file);
    }
    zip_t* z = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!z) {
      zip_source_free(source);
      const std::string reason = zip_error_strerror(&error);
      zip_error_fini(&error);
      throw_error("{}: truncated or corrupt zip file ({})", file, reason);
    }
    zip_error_fini(&error);
    zip_.reset(z);
  }

  bool has(const std::string& name) const {
    return zip_name_locate(zip_.get(), name.c_str(), 0) >= 0;
  }

  // The member's bytes; refuses members that are encrypted, damaged, or would take the unpacked
  // total past the cap (checked against the declared size first, then while inflating, since a
  // zip bomb may declare a small size).
  std::string read(const std::string& name) {
    const zip_int64_t index = zip_name_locate(zip_.get(), name.c_str(), 0);
    if (index < 0) throw_error("{}: damaged Word document ({} is missing)", file_, name);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), static_cast<zip_uint64_t>(index), 0, &st) != 0)
      throw_error("{}: damaged Word document (cannot read {})", file_, name);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw_error("{}: encrypted (password-protected) zip file", file_);
    if ((st.valid & ZIP_STAT_SIZE) && st.size > left_) too_large(name);
    std::unique_ptr<zip_file_t, ZipFileCloser> f(
        zip_fopen_index(zip_.get(), static_cast<zip_uint64_t>(index), 0));
    if (!f)
      throw_error("{}: damaged Word document (cannot open {}: {})", file_, name,
                  zip_strerror(zip_.get()));
    std::string out;
    char buffer[1 << 16];
    for (;;) {
      const zip_int64_t n = zip_fread(f.get(), buffer, sizeof buffer);
      if (n < 0)
        throw_error("{}: truncated or corrupt zip file ({}: {})", file_, name,
                    zip_file_strerror(f.get()));
      if (n == 0) break;
      if (static_cast<std::size_t>(n) > left_) too_large(name);
      left_ -= static_cast<std::size_t>(n);
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  [[noreturn]] void too_large(const std::string& name) const {
    throw_error("{}: unpacks to more than {} bytes ({}; a zip bomb?); the limit is {} bytes", file_,
                cap_, name, cap_);
  }

  std::string file_;
  std::size_t left_, cap_;
  std::unique_ptr<zip_t, ZipCloser> zip_;
};

// The prefix ("w:") that an XML document binds to `ns`, from its root's declarations.
std::string prefix_of(const pugi::xml_node& root, const char* ns) {
  for (const pugi::xml_attribute& a : root.attributes()) {
    const std::string name = a.name();
    if (name.rfind("xmlns:", 0) == 0 && std::string_view(a.value()) == ns)
      return name.substr(6) + ":";
    if (name == "xmlns" && std::string_view(a.value()) == ns) return "";
  }
  return "";
}

pugi::xml_document parse_xml(const std::string& xml, const std::string& file,
                             const std::string& part) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata);
  if (!r)
    throw_error("{}: damaged Word document ({}: {} at byte {})", file, part, r.description(),
                r.offset);
  return doc;
}

// The main document part named by _rels/.rels (word/document.xml in nearly every file).
std::string main_part(Container& zip, const std::string& file) {
  if (zip.has("_rels/.rels")) {
    const pugi::xml_document rels = parse_xml(zip.read("_rels/.rels"), file, "_rels/.rels");
    for (const pugi::xml_node& r : rels.document_element().children()) {
      const std::string type = r.attribute("Type").value();
      if (type.size() >= 15 && type.compare(type.size() - 15, 15, "/officeDocument") == 0) {
        std::string target = r.attribute("Target").value();
        if (!target.empty() && target[0] == '/') target.erase(0, 1);
        if (zip.has(target)) return target;
      }
    }
  }
  return "word/document.xml";
}

// Renders the body: one line per paragraph; a table row is one line, its cells joined by tabs.
class BodyWriter {
 public:
  explicit BodyWriter(std::string w, std::string mc) : w_(std::move(w)), mc_(std::move(mc)) {}

  std::string render(const pugi::xml_node& body) {
    struct Frame {
      pugi::xml_node node;
      bool entered;
    };
    std::vector<Frame> stack{{body, false}};
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.entered) {
        leave(f.node);
        stack.pop_back();
        continue;
      }
      f.entered = true;
      const pugi::xml_node node = f.node;
      if (!enter(node)) {
        stack.pop_back();
        continue;
      }
      // Children pushed in reverse so that they are visited in document order.
      std::vector<pugi::xml_node> children;
      for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element) children.push_back(c);
      for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back({*it, false});
    }
    return out_;
  }

 private:
  bool is(const pugi::xml_node& n, const char* local) const { return n.name() == w_ + local; }

  // Returns whether to visit the children.
  bool enter(const pugi::xml_node& n) {
    const std::string name = n.name();
    if (!mc_.empty() && name == mc_ + "Fallback") return false;  // the Choice already holds it
    if (is(n, "del") || is(n, "moveFrom") || is(n, "instrText") || is(n, "delText") ||
        is(n, "footnoteReference") || is(n, "endnoteReference") || is(n, "commentReference") ||
        is(n, "sectPr") || is(n, "pPr") || is(n, "rPr") || is(n, "tblPr") || is(n, "trPr") ||
        is(n, "tcPr") || is(n, "tblGrid"))
      return false;
    if (is(n, "t")) {
      paragraph_ += n.text().get();
      return false;
    }
    if (is(n, "tab") || is(n, "ptab")) paragraph_ += '\t';
    if (is(n, "br") || is(n, "cr")) paragraph_ += '\n';
    if (is(n, "noBreakHyphen")) paragraph_ += '-';
    if (is(n, "p") && !paragraph_.empty()) end_paragraph();  // a text-box paragraph inside one
    if (is(n, "tbl")) ++tables_;
    return true;
  }

  void leave(const pugi::xml_node& n) {
    if (is(n, "p")) end_paragraph();
    if (tables_ == 1 && is(n, "tc")) cell_done_ = true;
    if (tables_ == 1 && is(n, "tr")) {
      line(row_);
      row_.clear();
      cell_done_ = false;
    }
    if (is(n, "tbl")) --tables_;
  }

  void end_paragraph() {
    if (tables_ == 0) {
      line(paragraph_);
    } else {
      if (!row_.empty() && !paragraph_.empty()) row_ += cell_done_ ? '\t' : ' ';
      if (!paragraph_.empty()) cell_done_ = false;
      for (char c : paragraph_) row_ += c == '\n' ? ' ' : c;
    }
    paragraph_.clear();
  }

  // A paragraph as one line, without the indentation or trailing spaces typed around it.
  void line(const std::string& text) {
    const std::u32string u = to_u32(text);
    const std::u32string_view t = trim(u);
    if (t.empty()) return;  // an empty paragraph
    out_ += encode_utf8(t);
    out_ += '\n';
  }

  std::string w_, mc_;
  std::string out_, paragraph_, row_;
  int tables_ = 0;
  bool cell_done_ = false;
};

}  // namespace

RawText extract_docx(std::string_view bytes, const std::string& file, const ExtractParams& params) {
  Container zip(bytes, file, params.max_unpacked_bytes);
  if (!zip.has("[Content_Types].xml") ||
      !(zip.has("word/document.xml") || zip.has("_rels/.rels"))) {
    if (zip.has("mimetype") || zip.has("content.xml"))
      throw_error("{}: OpenDocument file (.odt/.ods) is not supported; save it as .docx", file);
    if (zip.has("xl/workbook.xml")) throw_error("{}: Excel workbook (.xlsx), not a report", file);
    if (zip.has("ppt/presentation.xml"))
      throw_error("{}: PowerPoint presentation (.pptx), not a report", file);
    throw_error("{}: zip archive, not a Word document (.docx)", file);
  }
  if (zip.has("xl/workbook.xml")) throw_error("{}: Excel workbook (.xlsx), not a report", file);
  if (zip.has("ppt/presentation.xml"))
    throw_error("{}: PowerPoint presentation (.pptx), not a report", file);
  const std::string part = main_part(zip, file);
  if (!zip.has(part)) throw_error("{}: zip archive, not a Word document (.docx)", file);

  RawText out;
  out.format = "docx";
  const pugi::xml_document doc = parse_xml(zip.read(part), file, part);
  const pugi::xml_node root = doc.document_element();
  const std::string w = prefix_of(root, kWordNamespace);
  const pugi::xml_node body = root.child((w + "body").c_str());
  if (!body) throw_error("{}: damaged Word document (no body in {})", file, part);
  BodyWriter writer(w, prefix_of(root, kMarkupCompatibility));
  out.text = to_u32(writer.render(body));

  if (zip.has("docProps/core.xml")) {
    try {
      const pugi::xml_document core =
          parse_xml(zip.read("docProps/core.xml"), file, "docProps/core.xml");
      for (const pugi::xml_node& n : core.document_element().children()) {
        const std::string name = n.name();
        const std::size_t colon = name.find(':');
        if (name.substr(colon == std::string::npos ? 0 : colon + 1) == "title") {
          const std::u32string title = to_u32(n.text().get());
          const std::u32string_view t = trim(title);
          if (!t.empty() && t.size() <= 80 &&
              (contains(t, U"报告") || contains(t, U"总结") || contains(t, U"情况")))
            add_field(out.metadata, "document title", encode_utf8(t));
        }
      }
    } catch (const Error&) {
      // Document properties are optional; a damaged core.xml does not make the body unreadable.
    }
  }
  return out;
}

}  // namespace leitong::detail
