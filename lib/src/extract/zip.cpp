#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/extract/zip.h>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>

namespace leitong {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string client_file_name(std::string_view sent) {
  const std::size_t slash = sent.find_last_of("/\\");
  if (slash != std::string_view::npos) sent.remove_prefix(slash + 1);
  std::string name;
  std::u32string chars;
  if (!decode_charset(sent, "UTF-8", chars)) decode_charset(sent, "GB18030", chars);
  for (char32_t c : chars)
    if (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != 0x2028 && c != 0x2029 && c != 0x202e)
      name += encode_utf8(std::u32string(1, c));
  if (name == "." || name == "..") return "";
  return name;
}

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// An entry name that would leave the folder it is unpacked into.
bool escapes_root(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.front() == '\\') return true;
  if (name.size() >= 2 && name[1] == ':') return true;  // a drive letter
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find_first_of("/\\", start), name.size());
    if (name.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// Entry names are UTF-8 by the zip's flag or, from Chinese Windows, GBK: read them as either.
// A name that is neither keeps its ASCII and shows U+FFFD for the rest: every name that leaves
// here (a document's file, a refusal) is valid UTF-8.
std::string entry_name(zip_t* zip, zip_uint64_t index) {
  const char* raw = zip_get_name(zip, index, ZIP_FL_ENC_RAW);
  if (!raw) return "";
  std::u32string chars;
  if (decode_charset(raw, "UTF-8", chars) || decode_charset(raw, "GB18030", chars)) return encode_utf8(chars);
  chars.clear();
  for (const char* p = raw; *p; ++p) chars.push_back(static_cast<unsigned char>(*p) < 0x80 ? *p : U'\uFFFD');
  return encode_utf8(chars);
}

}  // namespace

UnpackedZip unpack_zip(std::string_view bytes, const std::string& zip_name, const ZipLimits& limits) {
  if (bytes.empty()) throw_error("{}: empty file", zip_name);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) throw_error("{}: cannot read the zip: {}", zip_name, zip_error_strerror(&error));
  std::unique_ptr<zip_t, ZipCloser> zip(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!zip) {
    zip_source_free(source);
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw_error("{}: not a readable zip file ({})", zip_name, reason);
  }
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  if (entries < 0 || static_cast<std::size_t>(entries) > limits.max_entries)
    throw_error("{}: more than {} entries in the zip", zip_name, limits.max_entries);
  UnpackedZip out;
  std::size_t total = 0;
  for (zip_int64_t i = 0; i < entries; ++i) {
    zip_stat_t stat;
    if (zip_stat_index(zip.get(), i, 0, &stat) != 0) throw_error("{}: damaged zip (entry {})", zip_name, i);
    const std::string name = entry_name(zip.get(), i);
    const std::string shown = zip_name + "/" + escape_controls(name);
    if (escapes_root(name)) {
      out.refused.push_back({shown, "the entry's path leaves the zip's folder (absolute or with ..); not unpacked"});
      continue;
    }
    if (name.back() == '/' || name.back() == '\\') continue;  // a folder
    const std::string base = client_file_name(name);
    if (name.starts_with("__MACOSX/") || base.empty() || base.front() == '.') continue;
    const std::size_t dot = base.rfind('.');
    const std::string extension = dot == std::string::npos ? "" : lower(base.substr(dot));
    if (extension == ".zip") {
      out.refused.push_back({shown, "a zip inside the zip is not unpacked; upload it on its own"});
      continue;
    }
    if (!is_document_extension(extension)) {
      out.refused.push_back({shown, "not a document type leitong reads (.txt .html .docx .pdf …)"});
      continue;
    }
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
      out.refused.push_back({shown, "encrypted; not unpacked"});
      continue;
    }
    if (!(stat.valid & ZIP_STAT_SIZE) || stat.size > limits.max_entry_bytes) {
      out.refused.push_back({shown, fmt::format("unpacks past {} MiB; not unpacked", limits.max_entry_bytes >> 20)});
      continue;
    }
    total += stat.size;
    if (total > limits.max_unpacked_bytes)
      throw_error("{}: unpacks to more than {} MiB (a zip bomb?); nothing was unpacked", zip_name,
                  limits.max_unpacked_bytes >> 20);
    std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(zip.get(), i, 0));
    if (!file) {
      out.refused.push_back({shown, fmt::format("cannot be unpacked ({})", zip_strerror(zip.get()))});
      continue;
    }
    // The declared size bounds what is read: a lying header cannot make the entry grow.
    std::string data(stat.size, '\0');
    std::size_t got = 0;
    bool failed = false;
    while (got < data.size()) {
      const zip_int64_t n = zip_fread(file.get(), data.data() + got, data.size() - got);
      if (n <= 0) {
        failed = true;
        break;
      }
      got += static_cast<std::size_t>(n);
    }
    if (failed) {
      out.refused.push_back({shown, fmt::format("damaged entry ({})", zip_file_strerror(file.get()))});
      continue;
    }
    char extra;
    if (zip_fread(file.get(), &extra, 1) != 0) {
      out.refused.push_back({shown, "unpacks to more than its header says (damaged, or a zip bomb); not unpacked"});
      continue;
    }
    out.members.push_back({name, std::move(data)});
  }
  return out;
}

UnpackedZip unpack_zip_file(const std::filesystem::path& path, const ZipLimits& limits) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw_error("{}: cannot read: {}", name, ec.message());
  if (size > limits.max_unpacked_bytes)
    throw_error("{}: a zip of more than {} MiB; unpack it and add the folder", name, limits.max_unpacked_bytes >> 20);
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
    throw_error("{}: cannot read the file", name);
  return unpack_zip(bytes, name, limits);
}

bool is_zip_path(const std::filesystem::path& path) { return lower(path.extension().string()) == ".zip"; }

}  // namespace leitong
