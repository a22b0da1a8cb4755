// Fuzz harnesses (issue #6): the bodies of the libFuzzer targets in fuzz/, as inline functions so
// that tests/test_fuzz_regressions.cpp replays fuzz/regressions/ through exactly the same code
// without clang or libFuzzer.
//
// Each harness takes arbitrary bytes. The library may refuse them with leitong::Error (its one
// documented exception type, error.h); any other exception escapes, and a broken promise of the
// headers (offset maps, passage ranges) calls LEITONG_FUZZ_FAIL(what). In the libFuzzer targets
// that traps; the regression test defines it to throw before including this header.
#pragma once

#include <leitong/core/align.h>
#include <leitong/core/error.h>
#include <leitong/core/normalize.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/service/upload.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#ifndef LEITONG_FUZZ_FAIL
#define LEITONG_FUZZ_FAIL(what)                                 \
  do {                                                          \
    std::fprintf(stderr, "leitong fuzz invariant: %s\n", what); \
    __builtin_trap();                                           \
  } while (0)
#endif

#define LEITONG_FUZZ_CHECK(condition) \
  do {                                \
    if (!(condition)) LEITONG_FUZZ_FAIL(#condition); \
  } while (0)

namespace leitong::fuzz {

inline std::string_view as_bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

inline bool is_scalar_value(char32_t c) { return c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF); }

// Extracted text: valid code points only (offsets and encode_utf8 rely on it).
inline void check_text(std::u32string_view text) {
  for (char32_t c : text) LEITONG_FUZZ_CHECK(is_scalar_value(c));
}

// decode_text: refuses with Error or returns valid, NUL-free text.
inline void decode(std::string_view bytes) {
  try {
    const DecodedText decoded = decode_text(bytes, "fuzz.txt");
    check_text(decoded.text);
    LEITONG_FUZZ_CHECK(decoded.text.find(U'\0') == std::u32string::npos);
    // Valid UTF-8 without a BOM decodes as UTF-8, code point for code point.
    if (decoded.encoding == Encoding::kUtf8) LEITONG_FUZZ_CHECK(encode_utf8(decoded.text) == bytes);
  } catch (const Error&) {
  }
}

// The normalize.h promises: one [begin, end) per normalized code point, inside the text, non-empty,
// both ends non-decreasing; and what the switches remove is gone.
inline void check_normalized(std::u32string_view text, const NormalizedText& n,
                             const NormalizeParams& params) {
  LEITONG_FUZZ_CHECK(n.begin.size() == n.chars.size());
  LEITONG_FUZZ_CHECK(n.end.size() == n.chars.size());
  for (std::size_t i = 0; i < n.size(); ++i) {
    LEITONG_FUZZ_CHECK(n.begin[i] < n.end[i]);
    LEITONG_FUZZ_CHECK(n.end[i] <= text.size());
    if (i > 0) {
      LEITONG_FUZZ_CHECK(n.begin[i - 1] <= n.begin[i]);
      LEITONG_FUZZ_CHECK(n.end[i - 1] <= n.end[i]);
    }
    const char32_t c = n.chars[i];
    LEITONG_FUZZ_CHECK(is_scalar_value(c));
    if (params.drop_whitespace) LEITONG_FUZZ_CHECK(!is_whitespace(c));
    if (params.mask_digits) LEITONG_FUZZ_CHECK(!(c >= '0' && c <= '9'));
    if (params.fold_case) LEITONG_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
  }
  if (!n.chars.empty()) {
    LEITONG_FUZZ_CHECK(n.source_begin(0) < n.source_end(n.size()));
  }
}

// Switches from the bits of one byte (bit 7 is left to the caller).
inline NormalizeParams normalize_params(std::uint8_t bits) {
  NormalizeParams p;
  p.nfkc = bits & 1;
  p.fold_case = bits & 2;
  p.canonical_punctuation = bits & 4;
  p.drop_whitespace = bits & 8;
  p.mask_digits = bits & 16;
  p.traditional_to_simplified = bits & 32;
  p.mask_chinese_numerals = bits & 64;
  return p;
}

// Code points from bytes without a decoder: three bytes each (little-endian) modulo the code
// space, surrogates replaced by U+FFFD.
inline std::u32string code_points(std::string_view bytes) {
  std::u32string out;
  for (std::size_t i = 0; i + 3 <= bytes.size(); i += 3) {
    char32_t c = char32_t(static_cast<unsigned char>(bytes[i])) |
                 char32_t(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                 char32_t(static_cast<unsigned char>(bytes[i + 2])) << 16;
    c %= 0x110000;
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
    out.push_back(c);
  }
  return out;
}

// Byte 0: normalization switches (bits 0–6) and, in bit 7, how the rest becomes text: strict UTF-8
// (inputs that are not are skipped) or code_points().
inline void normalize_text(std::string_view bytes) {
  if (bytes.empty()) return;
  const auto flags = static_cast<std::uint8_t>(bytes[0]);
  bytes.remove_prefix(1);
  std::u32string text;
  if (flags & 0x80) {
    text = code_points(bytes);
  } else {
    try {
      text = decode_utf8(bytes, "fuzz.txt");
    } catch (const Error&) {
      return;
    }
  }
  const NormalizeParams params = normalize_params(flags);
  try {
    check_normalized(text, normalize(text, params), params);
  } catch (const Error&) {
  }
}

// Caps small enough for a fuzzer's memory and time limits (-rss_limit_mb=2048, -timeout=10).
inline ExtractParams fuzz_extract_params() {
  ExtractParams p;
  p.max_file_bytes = 16u << 20;
  p.max_unpacked_bytes = 64u << 20;
  p.max_pdf_pages = 200;
  p.max_seconds = 5;
  return p;
}

// extract_bytes under a file name with `extension` (".html", ".docx", ".pdf").
inline void extract(std::string_view bytes, const std::string& extension) {
  try {
    const ExtractedText out = extract_bytes(bytes, "fuzz" + extension, fuzz_extract_params());
    check_text(out.text);
    for (const auto& line : out.removed) check_text(line);
    LEITONG_FUZZ_CHECK(!out.format.empty());
    // What the tools do next with any extracted text.
    check_normalized(out.text, normalize(out.text), NormalizeParams{});
  } catch (const Error&) {
  }
}

// CRC-32 (zip's), bit by bit: the inputs are a few kilobytes.
inline std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// A zip file holding `members` stored uncompressed, with correct sizes and CRCs.
inline std::string stored_zip(const std::vector<std::pair<std::string, std::string_view>>& members) {
  std::string out, directory;
  auto put = [](std::string& to, std::uint32_t value, int bytes) {
    for (int k = 0; k < bytes; ++k) to.push_back(static_cast<char>((value >> (8 * k)) & 0xFF));
  };
  for (const auto& [name, data] : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const auto size = static_cast<std::uint32_t>(data.size());
    const std::uint32_t crc = crc32(data);
    // Local header: signature, version 2.0, no flags, stored, 1980-01-01 00:00.
    put(out, 0x04034B50, 4), put(out, 20, 2), put(out, 0, 2), put(out, 0, 2), put(out, 0, 2);
    put(out, 0x21, 2), put(out, crc, 4), put(out, size, 4), put(out, size, 4);
    put(out, static_cast<std::uint32_t>(name.size()), 2), put(out, 0, 2);
    out += name;
    out += data;
    put(directory, 0x02014B50, 4), put(directory, 20, 2), put(directory, 20, 2);
    put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 2), put(directory, 0x21, 2);
    put(directory, crc, 4), put(directory, size, 4), put(directory, size, 4);
    put(directory, static_cast<std::uint32_t>(name.size()), 2), put(directory, 0, 2);
    put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 2), put(directory, 0, 4);
    put(directory, offset, 4);
    directory += name;
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  const auto count = static_cast<std::uint32_t>(members.size());
  put(out, 0x06054B50, 4), put(out, 0, 2), put(out, 0, 2), put(out, count, 2), put(out, count, 2);
  put(out, static_cast<std::uint32_t>(directory.size()), 4), put(out, directory_offset, 4);
  put(out, 0, 2);
  return out;
}

// DOCX: a zip file ("PK…") as it is; anything else is the XML of a .docx's parts, separated by NUL
// bytes — word/document.xml, then docProps/core.xml and _rels/.rels when present — stored in a
// zip here, so that mutations reach the XML rather than break deflate streams and CRCs.
inline void extract_docx(std::string_view bytes) {
  if (bytes.substr(0, 2) == "PK") return extract(bytes, ".docx");
  static constexpr const char* kParts[] = {"word/document.xml", "docProps/core.xml", "_rels/.rels"};
  std::vector<std::pair<std::string, std::string_view>> members = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "content-types\"/>"}};
  for (const char* part : kParts) {
    const std::size_t nul = bytes.find('\0');
    members.emplace_back(part, bytes.substr(0, nul));
    if (nul == std::string_view::npos) break;
    bytes.remove_prefix(nul + 1);
  }
  extract(stored_zip(members), ".docx");
}

// The alignment harness's text: strict UTF-8, or each byte one of 16 characters (so that the two
// texts share many shingles).
inline std::u32string align_text(std::string_view bytes, bool small_alphabet) {
  if (small_alphabet) {
    static constexpr std::u32string_view kAlphabet = U"法治政府建设年度报告一十〇5， ";
    std::u32string out;
    for (char c : bytes) out.push_back(kAlphabet[static_cast<unsigned char>(c) % kAlphabet.size()]);
    return out;
  }
  return decode_utf8(bytes, "fuzz.txt");
}

// Passages of `query` in `source` (for align_self: the same document): inside both normalized
// texts, non-empty, sorted and non-overlapping in the query, made of runs inside the passage, and
// mapped back inside both extracted texts.
inline void check_passages(const std::vector<AlignedPassage>& passages, const Sketch& query,
                           std::u32string_view query_text, const Sketch& source,
                           std::u32string_view source_text, bool self) {
  const auto& qn = query.normalized;
  const auto& sn = source.normalized;
  std::uint32_t previous_end = 0;
  for (const AlignedPassage& p : passages) {
    LEITONG_FUZZ_CHECK(p.query_begin < p.query_end);
    LEITONG_FUZZ_CHECK(p.query_end <= qn.size());
    LEITONG_FUZZ_CHECK(p.source_begin < p.source_end);
    LEITONG_FUZZ_CHECK(p.source_end <= sn.size());
    LEITONG_FUZZ_CHECK(previous_end <= p.query_begin);
    previous_end = p.query_end;
    LEITONG_FUZZ_CHECK(p.matched <= p.query_end - p.query_begin);
    LEITONG_FUZZ_CHECK(!p.runs.empty());
    for (const MatchRun& r : p.runs) {
      LEITONG_FUZZ_CHECK(r.length > 0);
      LEITONG_FUZZ_CHECK(p.query_begin <= r.query && r.query + r.length <= p.query_end);
      LEITONG_FUZZ_CHECK(p.source_begin <= r.source && r.source + r.length <= p.source_end);
      if (self) LEITONG_FUZZ_CHECK(r.source + r.length <= r.query);
    }
    const std::uint32_t qb = qn.source_begin(p.query_begin), qe = qn.source_end(p.query_end);
    const std::uint32_t sb = sn.source_begin(p.source_begin), se = sn.source_end(p.source_end);
    LEITONG_FUZZ_CHECK(qb < qe && qe <= query_text.size());
    LEITONG_FUZZ_CHECK(sb < se && se <= source_text.size());
  }
}

// Byte 0: bit 7 picks align_text's alphabet, bits 0–2 the shingle size (3–10), bits 3–6 the
// shortest passage (5–20); the rest is two texts separated by the first NUL byte (or halved).
inline void align_texts(std::string_view bytes) {
  if (bytes.size() < 2) return;
  const auto flags = static_cast<std::uint8_t>(bytes[0]);
  bytes.remove_prefix(1);
  std::string_view a, b;
  if (const auto nul = bytes.find('\0'); nul != std::string_view::npos) {
    a = bytes.substr(0, nul);
    b = bytes.substr(nul + 1);
  } else {
    a = bytes.substr(0, bytes.size() / 2);
    b = bytes.substr(bytes.size() / 2);
  }
  std::u32string query_text, source_text;
  try {
    query_text = align_text(a, flags & 0x80);
    source_text = align_text(b, flags & 0x80);
  } catch (const Error&) {
    return;
  }
  SketchParams sketch_params;
  sketch_params.shingle.n = 3 + (flags & 7);
  AlignParams align_params;
  align_params.min_passage = 5 + ((flags >> 3) & 15);
  try {
    const Sketch query = make_alignment_sketch(query_text, sketch_params);
    const Sketch source = make_alignment_sketch(source_text, sketch_params);
    const int n = sketch_params.shingle.n;
    check_passages(align(query, source, n, align_params), query, query_text, source, source_text,
                   false);
    check_passages(align_self(query, n, align_params), query, query_text, query, query_text, true);
  } catch (const Error&) {
  }
}

// Uploads as the web service reads them. First byte even: a multipart/form-data body with the
// boundary "B"; odd: a zip ("PK…" as it is, or else NUL-separated entry names and contents stored
// in a zip here, so that mutations reach the names: "..", absolute paths, GBK bytes).
inline void upload(std::string_view bytes) {
  if (bytes.empty()) return;
  const bool zip = bytes.front() & 1;
  bytes.remove_prefix(1);
  if (!zip) {
    try {
      for (const FormPart& part : parse_multipart(bytes, "B")) {
        LEITONG_FUZZ_CHECK(part.data.data() >= bytes.data() &&
                           part.data.data() + part.data.size() <= bytes.data() + bytes.size());
        LEITONG_FUZZ_CHECK(!part.name.empty());
        check_text(decode_utf8(client_file_name(part.file_name.value_or("")), "name"));
      }
    } catch (const Error&) {
    }
    return;
  }
  std::string archive;
  if (bytes.substr(0, 2) == "PK") {
    archive = std::string(bytes);
  } else {
    std::vector<std::pair<std::string, std::string_view>> members;
    while (!bytes.empty() && members.size() < 64) {
      const std::size_t name_end = std::min(bytes.find('\0'), bytes.size());
      std::string name(bytes.substr(0, name_end));
      bytes.remove_prefix(std::min(name_end + 1, bytes.size()));
      const std::size_t data_end = std::min(bytes.find('\0'), bytes.size());
      members.emplace_back(std::move(name), bytes.substr(0, data_end));
      bytes.remove_prefix(std::min(data_end + 1, bytes.size()));
    }
    archive = stored_zip(members);
  }
  ZipLimits limits;
  limits.max_unpacked_bytes = 1 << 20;
  limits.max_entry_bytes = 1 << 19;
  try {
    const UnpackedZip out = unpack_zip(archive, "fuzz.zip", limits);
    std::size_t total = 0;
    for (const ZipMember& m : out.members) {
      // Nothing unpacked may name a place outside the folder it would be unpacked into.
      LEITONG_FUZZ_CHECK(!m.name.empty() && m.name.front() != '/' && m.name.front() != '\\');
      LEITONG_FUZZ_CHECK(!(m.name.size() > 1 && m.name[1] == ':'));
      std::size_t start = 0;
      while (start <= m.name.size()) {
        const std::size_t end = std::min(m.name.find_first_of("/\\", start), m.name.size());
        LEITONG_FUZZ_CHECK(m.name.substr(start, end - start) != "..");
        start = end + 1;
      }
      LEITONG_FUZZ_CHECK(m.bytes.size() <= limits.max_entry_bytes);
      total += m.bytes.size();
    }
    LEITONG_FUZZ_CHECK(total <= limits.max_unpacked_bytes);
  } catch (const Error&) {
  }
}

}  // namespace leitong::fuzz
