// DOCX: the zip container read with libzip (with a cap on what it unpacks), its XML parts streamed
// through expat as they inflate: no tree of the document is built, so the largest document.xml the
// cap lets through is read in memory bounded by the text it holds, not by its markup. Body
// paragraphs and table rows are rendered in document order.
#include <expat.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <zip.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "detail/formats.h"
#include "detail/u32.h"

namespace leitong::detail {

namespace {

// WordprocessingML, as Word writes it (transitional) and in ISO 29500 strict form.
constexpr std::string_view kWordNamespace =
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
constexpr std::string_view kWordStrictNamespace =
    "http://purl.oclc.org/ooxml/wordprocessingml/main";
constexpr std::string_view kMarkupCompatibility =
    "http://schemas.openxmlformats.org/markup-compatibility/2006";

// Bytes inflated and handed to the XML parser at a time.
constexpr std::size_t kChunk = 64u << 10;
// The longest piece of markup (a tag with its attributes, a comment, a processing instruction)
// the parser may hold at once. Real parts stay under a few kilobytes; text between tags is not
// counted (the parser hands it over as it goes).
constexpr std::size_t kMaxMarkup = 4u << 20;

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

  // Inflates the member, handing its bytes to `sink` in chunks of at most kChunk bytes; refuses
  // members that are encrypted, damaged, or would take the unpacked total past the cap (checked
  // against the declared size first, then while inflating, since a zip bomb may declare a small
  // size). `sink` returns false to stop reading.
  void read(const std::string& name, const std::function<bool(std::string_view)>& sink) {
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
    std::vector<char> buffer(kChunk);
    for (;;) {
      const zip_int64_t n = zip_fread(f.get(), buffer.data(), buffer.size());
      if (n < 0)
        throw_error("{}: truncated or corrupt zip file ({}: {})", file_, name,
                    zip_file_strerror(f.get()));
      if (n == 0) break;
      if (static_cast<std::size_t>(n) > left_) too_large(name);
      left_ -= static_cast<std::size_t>(n);
      if (!sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) break;
    }
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

struct ParserFree {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

// One XML part read as a stream of events (expat): a subclass handles elements, named by prefix
// and local name ("w:p": "w", "p"; namespaces are resolved by the subclass, as Word's parts bind
// them once on the root), and the text inside them. Fed in chunks as the
// part inflates; an error inside a handler stops the parser and is rethrown by feed()/finish().
// A document type declaration is refused (OOXML has none; it is how entity bombs begin).
class XmlPart {
 public:
  XmlPart(const std::string& file, const std::string& part, const Deadline& deadline)
      : file_(file), part_(part), deadline_(deadline), parser_(XML_ParserCreate(nullptr)) {
    if (!parser_) throw_error("{}: out of memory reading {}", file, part);
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(parser_.get(), &XmlPart::start_thunk, &XmlPart::end_thunk);
    XML_SetCharacterDataHandler(parser_.get(), &XmlPart::text_thunk);
    XML_SetStartDoctypeDeclHandler(parser_.get(), &XmlPart::doctype_thunk);
  }
  virtual ~XmlPart() = default;
  XmlPart(const XmlPart&) = delete;
  XmlPart& operator=(const XmlPart&) = delete;

  // Hands `chunk` to the parser; false once the part has said all it needs to (stop()).
  // Chunks are gathered until they are at least as long as the markup the parser holds unfinished,
  // so that expat (which re-scans an unfinished piece of markup from its start at each call) scans
  // every byte a bounded number of times however the markup is laid out.
  bool feed(std::string_view chunk) {
    if (stopped_) return false;
    staged_.append(chunk);
    if (staged_.size() < std::max(kChunk, held_)) return true;
    parse(false);
    return !stopped_;
  }

  void finish() {
    if (!stopped_) parse(true);
  }

 protected:
  virtual void start(std::string_view prefix, std::string_view local,
                     const XML_Char** attributes) = 0;
  virtual void end(std::string_view prefix, std::string_view local) = 0;
  virtual void text(std::string_view utf8) = 0;

  // Ends the reading: the rest of the part is not needed.
  void stop() {
    stopped_ = true;
    XML_StopParser(parser_.get(), XML_FALSE);
  }

  const std::string& file_;  // outlives the reader (extract_docx's argument)
  const std::string part_;
  const Deadline& deadline_;

 private:
  void parse(bool last) {
    deadline_.check(part_);
    const XML_Status status =
        XML_Parse(parser_.get(), staged_.data(), static_cast<int>(staged_.size()),
                  last ? XML_TRUE : XML_FALSE);
    fed_ += staged_.size();
    staged_.clear();
    if (error_) std::rethrow_exception(error_);
    if (status == XML_STATUS_ERROR) {
      if (stopped_) return;
      throw_error("{}: damaged Word document ({}: {} at byte {})", file_, part_,
                  XML_ErrorString(XML_GetErrorCode(parser_.get())),
                  XML_GetCurrentByteIndex(parser_.get()));
    }
    // Where the parser stands: the start of the markup it holds unfinished.
    const XML_Index at = XML_GetCurrentByteIndex(parser_.get());
    held_ =
        at >= 0 && static_cast<std::size_t>(at) <= fed_ ? fed_ - static_cast<std::size_t>(at) : 0;
    if (held_ > kMaxMarkup)
      throw_error(
          "{}: damaged Word document ({}: a tag, comment or instruction longer than {} MiB)", file_,
          part_, kMaxMarkup >> 20);
  }

  template <typename F>
  static void guarded(void* self, F&& f) {
    auto* p = static_cast<XmlPart*>(self);
    if (p->error_ || p->stopped_) return;
    try {
      f(*p);
    } catch (...) {
      p->error_ = std::current_exception();
      XML_StopParser(p->parser_.get(), XML_FALSE);
    }
  }

  static std::pair<std::string_view, std::string_view> split(const XML_Char* name) {
    const std::string_view n(name);
    const std::size_t colon = n.find(':');
    if (colon == std::string_view::npos) return {{}, n};
    return {n.substr(0, colon), n.substr(colon + 1)};
  }

  static void start_thunk(void* self, const XML_Char* name, const XML_Char** attributes) {
    guarded(self, [&](XmlPart& p) {
      const auto [prefix, local] = split(name);
      p.start(prefix, local, attributes);
    });
  }
  static void end_thunk(void* self, const XML_Char* name) {
    guarded(self, [&](XmlPart& p) {
      const auto [prefix, local] = split(name);
      p.end(prefix, local);
    });
  }
  static void text_thunk(void* self, const XML_Char* s, int len) {
    guarded(self, [&](XmlPart& p) { p.text(std::string_view(s, static_cast<std::size_t>(len))); });
  }
  static void doctype_thunk(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    guarded(self, [](XmlPart& p) {
      throw_error(
          "{}: damaged Word document ({} declares a document type, which Word never writes)",
          p.file_, p.part_);
    });
  }

  std::unique_ptr<XML_ParserStruct, ParserFree> parser_;
  std::string staged_;
  std::size_t fed_ = 0, held_ = 0;
  bool stopped_ = false;
  std::exception_ptr error_;
};

// Streams `part` of `zip` through `reader`.
void read_part(Container& zip, const std::string& part, XmlPart& reader) {
  zip.read(part, [&](std::string_view chunk) { return reader.feed(chunk); });
  reader.finish();
}

// _rels/.rels: the first relationship of type officeDocument whose target the package holds.
class Relationships final : public XmlPart {
 public:
  Relationships(Container& zip, const std::string& file, const std::string& part,
                const Deadline& deadline)
      : XmlPart(file, part, deadline), zip_(zip) {}
  std::string main_part;

 private:
  void start(std::string_view, std::string_view, const XML_Char** attributes) override {
    if (++depth_ != 2) return;
    std::string_view type, target;
    for (const XML_Char** a = attributes; *a; a += 2) {
      if (std::string_view(a[0]) == "Type") type = a[1];
      if (std::string_view(a[0]) == "Target") target = a[1];
    }
    if (type.size() >= 15 && type.substr(type.size() - 15) == "/officeDocument") {
      std::string t(target);
      if (!t.empty() && t[0] == '/') t.erase(0, 1);
      if (zip_.has(t)) {
        main_part = std::move(t);
        stop();
      }
    }
  }
  void end(std::string_view, std::string_view) override { --depth_; }
  void text(std::string_view) override {}

  Container& zip_;
  int depth_ = 0;
};

// docProps/core.xml: the document's title (dc:title, a child of the root in any namespace).
class CoreProperties final : public XmlPart {
 public:
  using XmlPart::XmlPart;
  std::vector<std::string> titles;

 private:
  static constexpr std::size_t kLongest =
      4096;  // bytes of a title looked at (80 characters are kept)
  void start(std::string_view, std::string_view local, const XML_Char**) override {
    if (++depth_ == 2 && local == "title") {
      in_title_ = true;
      title_.clear();
    }
  }
  void end(std::string_view, std::string_view) override {
    if (depth_-- == 2 && in_title_) {
      in_title_ = false;
      titles.push_back(std::move(title_));
    }
  }
  void text(std::string_view s) override {
    if (in_title_ && depth_ == 2 && title_.size() < kLongest)
      title_.append(s.substr(0, kLongest - title_.size()));
  }

  int depth_ = 0;
  bool in_title_ = false;
  std::string title_;
};

// The main document part named by _rels/.rels (word/document.xml in nearly every file).
std::string main_part(Container& zip, const std::string& file, const Deadline& deadline) {
  if (zip.has("_rels/.rels")) {
    Relationships rels(zip, file, "_rels/.rels", deadline);
    read_part(zip, "_rels/.rels", rels);
    if (!rels.main_part.empty()) return rels.main_part;
  }
  return "word/document.xml";
}

// Renders the body of the main part: one line per paragraph; a table row is one line, its cells
// joined by tabs. Refuses the document as soon as the text it will write passes the text limit,
// so that what it holds stays within the limit: the lines written, and the line being read
// (whose leading and trailing whitespace, to be trimmed, is kept only up to the limit).
class BodyWriter final : public XmlPart {
 public:
  BodyWriter(const std::string& file, const std::string& part, const Deadline& deadline,
             const ExtractParams& params)
      : XmlPart(file, part, deadline), params_(params) {}

  bool found_body() const { return body_seen_; }
  std::u32string take() { return std::move(out_); }

 private:
  // Whether an element is WordprocessingML's `local`: by the prefix the root binds to Word's
  // namespace (none where the root binds none, or binds it as the default).
  bool is(std::string_view prefix, std::string_view name, std::string_view local) const {
    return name == local && prefix == w_;
  }

  void start(std::string_view prefix, std::string_view local,
             const XML_Char** attributes) override {
    ++depth_;
    if (depth_ == 1) {
      for (const XML_Char** a = attributes; *a; a += 2) {
        const std::string_view name(a[0]), value(a[1]);
        if (name != "xmlns" && name.substr(0, 6) != "xmlns:") continue;
        const std::string_view bound = name == "xmlns" ? std::string_view() : name.substr(6);
        if (value == kWordNamespace || (value == kWordStrictNamespace && !word_bound_)) {
          w_ = bound;
          word_bound_ |= value == kWordNamespace;
        }
        if (value == kMarkupCompatibility && !bound.empty()) mc_ = bound;
      }
      return;
    }
    if (skip_ > 0 || in_t_ > 0) return;
    if (!in_body_) {
      // The root's first body; other children of the root and their content are not rendered.
      if (depth_ == 2 && !body_seen_ && is(prefix, local, "body"))
        in_body_ = body_seen_ = true;
      else
        skip_ = depth_;
      return;
    }
    if (!mc_.empty() && prefix == mc_ && local == "Fallback") {  // the Choice already holds it
      skip_ = depth_;
      return;
    }
    if (prefix != w_) return;
    static constexpr std::string_view kSkipped[] = {"del",
                                                    "moveFrom",
                                                    "instrText",
                                                    "delText",
                                                    "footnoteReference",
                                                    "endnoteReference",
                                                    "commentReference",
                                                    "sectPr",
                                                    "pPr",
                                                    "rPr",
                                                    "tblPr",
                                                    "trPr",
                                                    "tcPr",
                                                    "tblGrid"};
    if (std::find(std::begin(kSkipped), std::end(kSkipped), local) != std::end(kSkipped)) {
      skip_ = depth_;
      return;
    }
    if (local == "t") {
      // Its own text is the run's text; elements inside it are not.
      in_t_ = depth_;
      return;
    }
    if (local == "tab" || local == "ptab") put(U'\t');
    if (local == "br" || local == "cr") put(U'\n');
    if (local == "noBreakHyphen") put(U'-');
    if (local == "p" && !paragraph_.empty()) end_paragraph();  // a text-box paragraph inside one
    if (local == "tbl") ++tables_;
  }

  void end(std::string_view prefix, std::string_view local) override {
    const int depth = depth_--;
    if (skip_ > 0) {
      if (depth == skip_) skip_ = 0;
      return;
    }
    if (in_t_ > 0) {
      if (depth == in_t_) in_t_ = 0;  // the end of the w:t
      return;
    }
    if (!in_body_) return;
    if (depth == 2) {
      in_body_ = false;  // the end of the body: nothing after it is read
      stop();
      return;
    }
    if (is(prefix, local, "p")) end_paragraph();
    if (tables_ == 1 && is(prefix, local, "tc")) cell_done_ = true;
    if (tables_ == 1 && is(prefix, local, "tr")) {
      line(row_);
      row_.clear();
      cell_done_ = false;
      restart_line();
    }
    if (is(prefix, local, "tbl")) --tables_;
  }

  void text(std::string_view utf8) override {
    if (in_t_ == 0 || depth_ != in_t_) return;
    for (char32_t c : to_u32(utf8)) put(c);
  }

  void put(char32_t c) {
    const std::size_t limit = params_.max_text_chars;
    if (is_whitespace(c)) {
      std::size_t& run = seen_text_ ? trailing_ : leading_;
      if (run >= limit) {  // trimmed away at the line's end, or the line is too long anyway
        ws_dropped_ |= seen_text_;
        return;
      }
      ++run;
    } else {
      if (ws_dropped_) refuse_long_text(file_, 0, params_, true);
      seen_text_ = true;
      trailing_ = 0;
    }
    paragraph_.push_back(c);
    ++line_chars_;
    if (out_.size() + line_chars_ - leading_ - trailing_ > limit)
      refuse_long_text(file_, 0, params_, true);
  }

  void end_paragraph() {
    if (tables_ == 0) {
      line(paragraph_);
      paragraph_.clear();
      restart_line();
    } else {
      if (!row_.empty() && !paragraph_.empty()) row_ += cell_done_ ? U'\t' : U' ';
      if (!paragraph_.empty()) cell_done_ = false;
      for (char32_t c : paragraph_) row_ += c == U'\n' ? U' ' : c;
    }
    paragraph_.clear();
  }

  // What is held after a line is written starts the next (text left in a row outside any w:tr is
  // counted in full).
  void restart_line() {
    line_chars_ = row_.size() + paragraph_.size();
    leading_ = trailing_ = 0;
    seen_text_ = line_chars_ > 0;
    ws_dropped_ = false;
  }

  // A paragraph as one line, without the indentation or trailing spaces typed around it.
  void line(std::u32string_view text) {
    const std::u32string_view t = trim(text);
    if (t.empty()) return;  // an empty paragraph
    out_.append(t);
    out_.push_back(U'\n');
  }

  const ExtractParams& params_;
  std::u32string out_, paragraph_, row_;
  int depth_ = 0;
  int skip_ = 0;  // the depth of the element whose content is left out, 0: none
  int in_t_ = 0;  // the depth of the w:t being read (its child elements are left out), 0: none
  bool in_body_ = false, body_seen_ = false;
  std::string w_,
      mc_;  // the prefixes the root binds to Word's namespace and to markup compatibility
  bool word_bound_ = false;  // w_ is the transitional namespace's (preferred to the strict one's)
  int tables_ = 0;
  bool cell_done_ = false;
  // The line being read (a paragraph, or a table row): code points kept, of which leading and
  // trailing whitespace; whether trailing whitespace past the limit was dropped.
  std::size_t line_chars_ = 0, leading_ = 0, trailing_ = 0;
  bool seen_text_ = false, ws_dropped_ = false;
};

}  // namespace

RawText extract_docx(std::string_view bytes, const std::string& file, const ExtractParams& params,
                     const Deadline& deadline) {
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
  const std::string part = main_part(zip, file, deadline);
  if (!zip.has(part)) throw_error("{}: zip archive, not a Word document (.docx)", file);

  RawText out;
  out.format = "docx";
  {
    BodyWriter writer(file, part, deadline, params);
    read_part(zip, part, writer);
    if (!writer.found_body()) throw_error("{}: damaged Word document (no body in {})", file, part);
    out.text = writer.take();
  }

  if (zip.has("docProps/core.xml")) {
    try {
      CoreProperties core(file, "docProps/core.xml", deadline);
      read_part(zip, "docProps/core.xml", core);
      for (const std::string& title : core.titles) {
        const std::u32string u = to_u32(title);
        const std::u32string_view t = trim(u);
        if (!t.empty() && t.size() <= 80 &&
            (contains(t, U"报告") || contains(t, U"总结") || contains(t, U"情况")))
          add_field(out.metadata, "document title", encode_utf8(t));
      }
    } catch (const Error&) {
      // Document properties are optional; a damaged core.xml does not make the body unreadable.
      // The time budget still holds for them.
      deadline.check("docProps/core.xml");
    }
  }
  return out;
}

}  // namespace leitong::detail
