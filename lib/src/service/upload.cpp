#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/service/upload.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace leitong {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `parameter` in a header value such as `form-data; name="file"; filename="a.docx"`
// (quoted or a token); nullopt when absent.
std::optional<std::string> header_parameter(std::string_view value, std::string_view parameter) {
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    const std::size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key = lower(trim(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    std::string v;
    if (j < value.size() && value[j] == '"') {
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        v += value[j];
      }
      if (j >= value.size()) throw_error("malformed form data: unterminated quoted {}", key);
      ++j;
    } else {
      const std::size_t end = std::min(value.find(';', j), value.size());
      v = std::string(trim(value.substr(j, end - j)));
      j = end;
    }
    if (key == parameter) return v;
    i = value.find(';', j);
  }
  return std::nullopt;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (lower(trim(content_type.substr(0, semi))) != "multipart/form-data")
    throw_error("expected multipart/form-data, got '{}'", escape_controls(content_type.substr(0, semi)));
  const std::optional<std::string> boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70)
    throw_error("malformed form data: the Content-Type names no valid boundary");
  return *boundary;
}

std::vector<FormPart> parse_multipart(std::string_view body, std::string_view boundary, std::size_t max_parts) {
  const std::string delimiter = "--" + std::string(boundary);
  // The first delimiter starts the body or a line of it (anything before is a preamble).
  std::size_t at = body.substr(0, delimiter.size()) == delimiter ? 0 : body.find("\r\n" + delimiter);
  if (at == std::string_view::npos) throw_error("malformed form data: no boundary line");
  if (at != 0) at += 2;
  const std::string next_delimiter = "\r\n" + delimiter;
  std::vector<FormPart> parts;
  for (;;) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") return parts;  // the closing delimiter
    while (at < body.size() && (body[at] == ' ' || body[at] == '\t')) ++at;
    if (body.substr(at, 2) != "\r\n") throw_error("malformed form data: a boundary line does not end the line");
    at += 2;
    if (parts.size() >= max_parts) throw_error("malformed form data: more than {} parts", max_parts);
    const std::size_t headers_end = body.find("\r\n\r\n", at);
    const std::size_t data_end_probe = body.find(next_delimiter, at);
    if (headers_end == std::string_view::npos || (data_end_probe != std::string_view::npos && headers_end > data_end_probe))
      throw_error("malformed form data: a part has no header block");
    FormPart part;
    bool disposition = false;
    std::string_view headers = body.substr(at, headers_end - at);
    while (!headers.empty()) {
      const std::size_t eol = std::min(headers.find("\r\n"), headers.size());
      const std::string_view line = headers.substr(0, eol);
      headers.remove_prefix(std::min(eol + 2, headers.size()));
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) throw_error("malformed form data: a part header has no ':'");
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (lower(trim(value.substr(0, value.find(';')))) != "form-data")
          throw_error("malformed form data: a part is not form-data");
        part.name = header_parameter(value, "name").value_or("");
        part.file_name = header_parameter(value, "filename");
        disposition = true;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!disposition || part.name.empty()) throw_error("malformed form data: a part has no field name");
    const std::size_t data_begin = headers_end + 4;
    const std::size_t data_end = body.find(next_delimiter, data_begin);
    if (data_end == std::string_view::npos) throw_error("malformed form data: the body ends inside a part (no closing boundary)");
    part.data = body.substr(data_begin, data_end - data_begin);
    parts.push_back(std::move(part));
    at = data_end + 2;
  }
}

}  // namespace leitong
