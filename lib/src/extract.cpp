#include <leitong/error.h>
#include <leitong/extract.h>
#include <leitong/text.h>

#include <unicode/uchar.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <system_error>

namespace leitong {

namespace {

bool starts_with(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}

// Lower-cased first kilobyte after leading whitespace and BOM, for markup sniffing.
std::string head_lower(std::string_view bytes) {
  if (starts_with(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);
  while (!bytes.empty() && std::isspace(static_cast<unsigned char>(bytes.front()))) bytes.remove_prefix(1);
  std::string head(bytes.substr(0, 1024));
  std::transform(head.begin(), head.end(), head.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return head;
}

void refuse_unsupported(std::string_view bytes, const std::string& file) {
  if (starts_with(bytes, "%PDF-")) throw_error("{}: PDF input is not supported yet; extract its text first", file);
  if (starts_with(bytes, "PK\x03\x04"))
    throw_error("{}: zip container (docx/odt/xlsx) input is not supported yet; extract its text first", file);
  if (starts_with(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"))
    throw_error("{}: legacy Office document (.doc/.xls) is not supported; save it as text first", file);
  if (starts_with(bytes, "{\\rtf")) throw_error("{}: RTF input is not supported yet; save it as text first", file);
  const std::string head = head_lower(bytes);
  if (starts_with(head, "<!doctype html") || starts_with(head, "<html") ||
      (starts_with(head, "<") && head.find("<body") != std::string::npos))
    throw_error("{}: HTML input is not supported yet; extract its text first", file);
}

}  // namespace

ExtractedText extract_bytes(std::string_view bytes, const std::string& file_name) {
  if (bytes.empty()) throw_error("{}: empty file", file_name);
  refuse_unsupported(bytes, file_name);
  DecodedText decoded = decode_text(bytes, file_name);
  std::size_t controls = 0, alnum = 0;
  for (char32_t c : decoded.text) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') ++controls;
    if (u_isalnum(static_cast<UChar32>(c))) ++alnum;
  }
  if (controls * 100 > decoded.text.size())
    throw_error("{}: binary data ({} control characters), not text", file_name, controls);
  if (alnum == 0) throw_error("{}: no text (only whitespace or punctuation)", file_name);
  return {std::move(decoded.text), "text/" + std::string(encoding_name(decoded.encoding))};
}

ExtractedText extract_file(const std::filesystem::path& path, const ExtractParams& params) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw_error("{}: no such file", name);
  if (std::filesystem::is_directory(status)) throw_error("{}: is a directory", name);
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw_error("{}: cannot read: {}", name, ec.message());
  if (size > params.max_file_bytes)
    throw_error("{}: file too large ({} bytes; the limit is {} bytes)", name, size, params.max_file_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_error("{}: cannot open for reading", name);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) throw_error("{}: read error", name);
  return extract_bytes(bytes, name);
}

}  // namespace leitong
