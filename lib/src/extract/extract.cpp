#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/chrome.h>
#include <leitong/extract/extract.h>
#include <unicode/uchar.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "detail/formats.h"

namespace leitong {

namespace detail {

double Deadline::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Deadline::check(std::string_view where) const {
  if (seconds_ > 0 && elapsed() <= seconds_) return;
  throw_error("{}: reading took longer than the limit of {} s per file (stopped at {}); the file is "
              "refused",
              file_, seconds_, where);
}

void refuse_long_text(const std::string& file, std::size_t chars, const ExtractParams& params, bool at_least) {
  throw_error("{}: text too long to check ({}{} characters; the limit is {}: a report has tens of thousands — "
              "split the file)",
              file, at_least ? "more than " : "", at_least ? params.max_text_chars : chars, params.max_text_chars);
}

}  // namespace detail

namespace {

enum class Sniffed { kText, kHtml, kPdf, kZip, kOle, kRtf, kImage, kArchive, kExecutable };

bool starts_with(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}

// ASCII letters lower-cased, every other byte as it is, whatever the C locale (and inline: the
// sniffing of every file a load reads went through the C library's tolower).
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-cased first 4 KiB after a BOM and leading whitespace (ASCII only), for markup sniffing.
std::string head_lower(std::string_view bytes) {
  if (starts_with(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);
  while (!bytes.empty() && std::isspace(static_cast<unsigned char>(bytes.front())))
    bytes.remove_prefix(1);
  std::string head(bytes.substr(0, 4096));
  std::transform(head.begin(), head.end(), head.begin(), ascii_lower);
  return head;
}

bool looks_like_html(std::string_view bytes) {
  std::string head = head_lower(bytes);
  // UTF-16 pages: look at the ASCII bytes only.
  if (starts_with(bytes, "\xFF\xFE") || starts_with(bytes, "\xFE\xFF")) {
    std::string ascii;
    for (char c : head)
      if (c != '\0') ascii.push_back(c);
    head = ascii.substr(ascii.find('<') == std::string::npos ? 0 : ascii.find('<'));
  }
  for (std::string_view open : {"<!doctype html", "<html", "<head", "<meta", "<title", "<body"})
    if (starts_with(head, open)) return true;
  if (starts_with(head, "<?xml") || starts_with(head, "<!--") || starts_with(head, "<!doctype"))
    return head.find("<html") != std::string::npos || head.find("<body") != std::string::npos;
  if (starts_with(head, "<"))
    return head.find("<body") != std::string::npos || head.find("<div") != std::string::npos ||
           head.find("<p>") != std::string::npos || head.find("<p ") != std::string::npos ||
           head.find("<table") != std::string::npos;
  return false;
}

Sniffed sniff(std::string_view bytes) {
  // A PDF header may follow some junk, within the first kilobyte.
  if (starts_with(bytes, "%PDF-") || bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos)
    return Sniffed::kPdf;
  if (starts_with(bytes, "PK\x03\x04") || starts_with(bytes, "PK\x05\x06") ||
      starts_with(bytes, "PK\x07\x08"))
    return Sniffed::kZip;
  if (starts_with(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) return Sniffed::kOle;
  if (starts_with(bytes, "{\\rtf")) return Sniffed::kRtf;
  if (starts_with(bytes, "\x89PNG") || starts_with(bytes, "\xFF\xD8\xFF") ||
      starts_with(bytes, "GIF8") || starts_with(bytes, "II*\0") || starts_with(bytes, "MM\0*") ||
      starts_with(bytes, "BM"))
    return bytes.size() > 2 && starts_with(bytes, "BM") &&
                   bytes.find('\0') == std::string_view::npos
               ? Sniffed::kText
               : Sniffed::kImage;
  if (starts_with(bytes, "\x1F\x8B") || starts_with(bytes, "7z\xBC\xAF\x27\x1C") ||
      starts_with(bytes, "Rar!") || starts_with(bytes, "BZh"))
    return starts_with(bytes, "BZh") && bytes.find('\0') == std::string_view::npos
               ? Sniffed::kText
               : Sniffed::kArchive;
  if (starts_with(bytes,
                  "\x7F"
                  "ELF") ||
      starts_with(bytes, "MZ")) {
    if (bytes.find('\0') != std::string_view::npos) return Sniffed::kExecutable;
  }
  if (looks_like_html(bytes)) return Sniffed::kHtml;
  return Sniffed::kText;
}

std::string_view describe(Sniffed kind) {
  switch (kind) {
    case Sniffed::kText:
      return "text";
    case Sniffed::kHtml:
      return "a web page";
    case Sniffed::kPdf:
      return "a PDF";
    case Sniffed::kZip:
      return "a zip file";
    case Sniffed::kOle:
      return "a legacy Office file";
    case Sniffed::kRtf:
      return "RTF";
    case Sniffed::kImage:
      return "an image";
    case Sniffed::kArchive:
      return "a compressed archive";
    case Sniffed::kExecutable:
      return "a program";
  }
  return "something else";
}

std::string lower_extension(const std::string& file_name) {
  std::string ext = std::filesystem::path(file_name).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ascii_lower);
  return ext;
}

// Plain text: decoded (text.h), refused when it is binary data.
detail::RawText extract_text(std::string_view bytes, const std::string& file) {
  DecodedText decoded = decode_text(bytes, file);
  std::size_t controls = 0;
  for (char32_t c : decoded.text)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ++controls;
  if (controls * 100 > decoded.text.size())
    throw_error("{}: binary data ({} control characters), not text", file, controls);
  detail::RawText out;
  out.text = std::move(decoded.text);
  out.format = "text/" + std::string(encoding_name(decoded.encoding));
  return out;
}

bool has_alnum(std::u32string_view text) {
  for (char32_t c : text)
    if (u_isalnum(static_cast<UChar32>(c))) return true;
  return false;
}

}  // namespace

bool is_document_extension(std::string_view extension) {
  static constexpr std::string_view kExtensions[] = {".txt",   ".text",  ".md",   ".htm", ".html",
                                                     ".shtml", ".xhtml", ".docx", ".pdf", ".doc"};
  return std::find(std::begin(kExtensions), std::end(kExtensions), extension) !=
         std::end(kExtensions);
}

ExtractedText extract_bytes(std::string_view bytes, const std::string& file,
                            const ExtractParams& params) {
  if (bytes.empty()) throw_error("{}: empty file", file);
  if (bytes.size() > params.max_file_bytes)
    throw_error("{}: file too large ({} bytes; the limit is {} bytes)", file, bytes.size(),
                params.max_file_bytes);
  const detail::Deadline deadline(file, params.max_seconds);
  const Sniffed kind = sniff(bytes);
  const std::string ext = lower_extension(file);
  // Binary formats have unmistakable signatures: a .pdf or .docx that lacks one is not one (often
  // a portal's error page saved under the attachment's name).
  if (ext == ".pdf" && kind != Sniffed::kPdf)
    throw_error("{}: not a PDF (named .pdf, but the content is {})", file, describe(kind));
  if (ext == ".docx" && kind != Sniffed::kZip && kind != Sniffed::kOle)
    throw_error("{}: not a Word .docx file (named .docx, but the content is {})", file,
                describe(kind));

  detail::RawText raw;
  switch (kind) {
    case Sniffed::kPdf:
      raw = detail::extract_pdf(bytes, file, params, deadline);
      break;
    case Sniffed::kZip:
      raw = detail::extract_docx(bytes, file, params, deadline);
      break;
    case Sniffed::kOle: {
      const std::string_view encrypted =
          std::string_view("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
      if (bytes.find(encrypted) != std::string_view::npos)
        throw_error(
            "{}: encrypted (password-protected) Office document; save it without a password", file);
      throw_error(
          "{}: legacy Office document (.doc/.xls) is not supported; save it as .docx or text",
          file);
    }
    case Sniffed::kRtf:
      throw_error("{}: RTF input is not supported; save it as .docx or text", file);
    case Sniffed::kImage:
      throw_error("{}: an image, not a document (scanned pages need OCR first)", file);
    case Sniffed::kArchive:
      throw_error("{}: a compressed archive, not a document; unpack it first", file);
    case Sniffed::kExecutable:
      throw_error("{}: binary data (a program), not text", file);
    case Sniffed::kHtml:
      raw = detail::extract_html(bytes, file, params, deadline);
      break;
    case Sniffed::kText:
      raw = extract_text(bytes, file);
      deadline.check("the decoded text");
      break;
  }

  if (!has_alnum(raw.text)) {
    switch (kind) {
      case Sniffed::kZip:
        throw_error("{}: Word document without text", file);
      case Sniffed::kHtml:
        throw_error("{}: web page without text", file);
      case Sniffed::kPdf:
        throw_error("{}: PDF without text (only whitespace or punctuation)", file);
      default:
        throw_error("{}: no text (only whitespace or punctuation)", file);
    }
  }

  if (raw.text.size() > params.max_text_chars) detail::refuse_long_text(file, raw.text.size(), params, false);

  ExtractedText out;
  out.format = std::move(raw.format);
  out.metadata = std::move(raw.metadata);
  out.removed = std::move(raw.removed);
  out.pages = raw.pages;
  if (params.remove_chrome) {
    ChromeResult stripped = strip_chrome(raw.text, out.metadata);
    out.text = std::move(stripped.text);
    for (auto& line : stripped.removed) out.removed.push_back(std::move(line));
    if (!has_alnum(out.text))
      throw_error("{}: no text besides page chrome ({} lines of navigation, headers and footers)",
                  file, out.removed.size());
  } else {
    out.text = std::move(raw.text);
  }
  complete_metadata(out.text, out.metadata);
  deadline.check(params.remove_chrome ? "page chrome" : "the extracted text");
  return out;
}

namespace {

// The file's bytes, read through one descriptor: one path look-up where status, size and an
// ifstream took three, and no stream buffer (a bulk load reads a million files: its workers spent
// 6 % of their time looking paths up and 1.5 % allocating stream buffers). Opened without blocking
// so that a FIFO named as input is refused instead of waiting for a writer.
void read_file_bytes(const std::filesystem::path& path, const ExtractParams& params, std::string& bytes) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw_error("{}: no such file", name);
    throw_error("{}: cannot open for reading: {}", name, std::generic_category().message(error));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw_error("{}: cannot read: {}", name, std::generic_category().message(errno));
  if (S_ISDIR(st.st_mode)) throw_error("{}: is a directory", name);
  if (!S_ISREG(st.st_mode)) throw_error("{}: not a regular file", name);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > params.max_file_bytes)
    throw_error("{}: file too large ({} bytes; the limit is {} bytes)", name, size, params.max_file_bytes);
  bytes.resize(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_error("{}: read error: {}", name, std::generic_category().message(errno));
    if (got == 0) throw_error("{}: read error (the file shrank while it was read)", name);
    done += static_cast<std::size_t>(got);
  }
}

}  // namespace

ExtractedText extract_file(const std::filesystem::path& path, const ExtractParams& params) {
  // Read into a buffer this thread keeps (given back when a large file grew it): a bulk load's
  // workers read file after file (bench/README.md, "The workers' heap").
  constexpr std::size_t kKeptBytes = std::size_t(1) << 20;
  thread_local std::string bytes;
  struct GiveBackLarge {
    ~GiveBackLarge() {
      if (bytes.capacity() > kKeptBytes) std::string().swap(bytes);
    }
  } give_back;
  read_file_bytes(path, params, bytes);
  return extract_bytes(bytes, path.string(), params);
}

namespace {

// Files the extracted text under the agency and year given or, where none is given, those it names.
ReadDocument file_document(ExtractedText extracted, const std::string& file, const std::string& agency, int year,
                           DocumentKind kind) {
  const DocumentMetadata& named = extracted.metadata;
  ReadDocument out;
  out.document.info.file = file;
  out.document.info.kind = kind;
  out.document.info.agency = agency;
  out.document.info.year = year;
  if (agency.find_first_not_of(" \t") == std::string::npos) {
    out.agency_missing = named.agency.empty();
    if (!out.agency_missing) {
      out.document.info.agency = named.agency;
      out.agency_from = named.agency_from;
    }
  }
  if (year == 0) {
    out.year_missing = named.year == 0;
    if (!out.year_missing) {
      out.document.info.year = named.year;
      out.year_from = named.year_from;
    }
  }
  out.chrome_lines = extracted.removed.size();
  out.document.text = std::move(extracted.text);
  return out;
}

}  // namespace

ReadDocument read_document(const std::filesystem::path& path, const std::string& agency, int year,
                           DocumentKind kind, const ExtractParams& params) {
  return file_document(extract_file(path, params), path.string(), agency, year, kind);
}

ReadDocument read_document_bytes(std::string_view bytes, const std::string& file_name, const std::string& agency,
                                 int year, DocumentKind kind, const ExtractParams& params) {
  return file_document(extract_bytes(bytes, file_name, params), file_name, agency, year, kind);
}

}  // namespace leitong
