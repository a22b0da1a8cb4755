// Extraction: from a file on disk to the text leitong compares.
//
// Files are recognised by content, not by extension. Plain text in UTF-8 (with or without BOM),
// UTF-16 with BOM, or GB18030 is decoded (text.h). Other recognised formats (PDF, Office files,
// zip, HTML) and binary data are refused with a reason; every refusal is an Error naming the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace leitong {

struct ExtractParams {
  std::size_t max_file_bytes = 64u << 20;  // larger files are refused before being read
};

struct ExtractedText {
  std::u32string text;
  std::string format;  // how it was read, e.g. "text/utf-8", "text/gb18030"
};

// Reads and extracts `path`. Throws Error("PATH: reason") for unreadable, oversized, empty,
// binary or unsupported files, and for files without any letter or digit.
ExtractedText extract_file(const std::filesystem::path& path, const ExtractParams& params = {});

// The same on bytes already in memory; `file_name` is used in error messages only.
ExtractedText extract_bytes(std::string_view bytes, const std::string& file_name);

}  // namespace leitong
