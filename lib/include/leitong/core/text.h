// Decoding report files into Unicode text.
//
// THE OFFSET RULE (used everywhere in leitong): every position reported to users — passage
// start/end, source_start/end — is a Unicode code-point index into a document's *extracted
// text*: the std::u32string that decode_text() (or a later format extractor) returns. For a
// plain-text file that is its decoded content with any byte-order mark excluded. Normalization
// (normalize.h) works on a different, shorter string and keeps a map back to these offsets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leitong {

enum class Encoding { kUtf8, kUtf8Bom, kUtf16Le, kUtf16Be, kGb18030 };

// A short lowercase name: "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030".
std::string_view encoding_name(Encoding encoding);

struct DecodedText {
  std::u32string text;  // the extracted text (see the offset rule above)
  Encoding encoding = Encoding::kUtf8;
};

// Decodes plain-text bytes. A UTF-8 or UTF-16 byte-order mark decides the encoding; otherwise the
// bytes must be valid UTF-8, or else valid GB18030 (which covers GBK and GB2312). UTF-8 with a few
// damaged bytes is refused rather than read as GB18030 mojibake. Throws Error naming `file_name`
// and the reason (for invalid UTF-8: the file byte offset of the first invalid sequence). NUL is
// refused as binary data, in every encoding.
DecodedText decode_text(std::string_view bytes, std::string_view file_name);

// Decodes bytes in a charset ICU knows ("gb18030", "big5", "windows-1252", …), strictly: false if
// the charset is unknown or any byte sequence is invalid in it. The one ICU decoding path of
// leitong (plain text and web pages both use it).
bool decode_charset(std::string_view bytes, const std::string& charset, std::u32string& out);

// Strict UTF-8 → code points. Throws Error("FILE: invalid UTF-8 at byte N") on malformed,
// overlong or surrogate sequences.
std::u32string decode_utf8(std::string_view bytes, std::string_view file_name);

// Returns the byte offset of the first invalid UTF-8 sequence, or npos if `bytes` is valid.
std::size_t find_invalid_utf8(std::string_view bytes);

// Code points → UTF-8. `text` must hold valid scalar values (asserted).
std::string encode_utf8(std::u32string_view text);

// Unicode White_Space (plus U+FEFF and the zero-width space), the characters that
// "chars, whitespace excluded" leaves out.
bool is_whitespace(char32_t c);

// `utf8` made safe to show on a terminal, one record per line: control characters (C0, DEL, C1)
// other than those in `keep`, the bidirectional overrides and isolates, and bytes that are not
// UTF-8 are written as \n, \r, \t, \xNN or \u{NNNN}; everything else is kept. For names and
// text printed for a person, never for JSON or HTML, which carry text exactly.
std::string escape_controls(std::string_view utf8, std::u32string_view keep = {});

// CJK ideographs: the unified block, extension A, the compatibility block and the supplementary
// planes' extensions (U+20000–U+3134F).
bool is_cjk(char32_t c);

// Number of code points of `text` that are not whitespace.
std::size_t count_non_whitespace(std::u32string_view text);

}  // namespace leitong
