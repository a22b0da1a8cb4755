#include <leitong/core/error.h>
#include <leitong/core/text.h>

#include <fmt/format.h>
#include <unicode/ucnv.h>
#include <unicode/uchar.h>

#include <cassert>
#include <cstring>
#include <memory>

namespace leitong {

std::string_view encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8: return "utf-8";
    case Encoding::kUtf8Bom: return "utf-8-bom";
    case Encoding::kUtf16Le: return "utf-16le";
    case Encoding::kUtf16Be: return "utf-16be";
    case Encoding::kGb18030: return "gb18030";
  }
  return "unknown";
}

namespace {

// Decodes one UTF-8 sequence at `i`; returns its length, or 0 if it is invalid.
inline std::size_t decode_one(std::string_view s, std::size_t i, char32_t& out) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    out = b0;
    return 1;
  }
  std::size_t len;
  char32_t cp;
  char32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  out = cp;
  return len;
}

// Strict UTF-8 validated as it is decoded into `out`, sized first by counting lead bytes (every
// file a load reads goes through here): runs of ASCII eight bytes at a time and the three-byte
// sequences of CJK text without the general decoder. Returns the byte offset of the first invalid
// sequence, `out` then holding what precedes it, or npos.
std::size_t decode_utf8_into(std::string_view bytes, std::u32string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t leads = 0;  // bytes that are not continuation bytes: code points, for valid text
  for (std::size_t i = 0; i < n; ++i) leads += (p[i] & 0xC0) != 0x80;
  out.resize(leads);
  char32_t* w = out.data();
  char32_t* const end = w + leads;
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && end - w >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (!(word & 0x8080808080808080ull)) {
        for (int k = 0; k < 8; ++k) w[k] = p[i + k];
        w += 8;
        i += 8;
        continue;
      }
    }
    const unsigned char b0 = p[i];
    char32_t cp;
    std::size_t len;
    if (b0 < 0x80) {
      cp = b0, len = 1;
    } else if ((b0 & 0xF0) == 0xE0 && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80 &&
               (cp = char32_t(b0 & 0x0F) << 12 | char32_t(p[i + 1] & 0x3F) << 6 | char32_t(p[i + 2] & 0x3F),
                cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF))) {
      len = 3;
    } else {
      len = decode_one(bytes, i, cp);
    }
    if (len == 0 || w == end) {
      out.resize(static_cast<std::size_t>(w - out.data()));
      return i;
    }
    *w++ = cp;
    i += len;
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return std::string_view::npos;
}

// Strict UTF-8; error offsets are reported as `base` + position (the byte offset in the file).
std::u32string decode_utf8_at(std::string_view bytes, std::string_view file_name, std::size_t base) {
  std::u32string out;
  if (const std::size_t bad = decode_utf8_into(bytes, out); bad != std::string_view::npos)
    throw_error("{}: invalid UTF-8 at byte {}", file_name, base + bad);
  return out;
}

// UTF-16 after a 2-byte byte-order mark; error offsets count the mark.
std::u32string decode_utf16(std::string_view bytes, bool little_endian, std::string_view file) {
  if (bytes.size() % 2 != 0) throw_error("{}: truncated UTF-16 text (odd number of bytes)", file);
  std::u32string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](std::size_t i) -> char16_t {
    const auto a = static_cast<unsigned char>(bytes[i]);
    const auto b = static_cast<unsigned char>(bytes[i + 1]);
    return little_endian ? char16_t(a | (b << 8)) : char16_t((a << 8) | b);
  };
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    char16_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= bytes.size() || unit(i + 2) < 0xDC00 || unit(i + 2) > 0xDFFF)
        throw_error("{}: invalid UTF-16 surrogate at byte {}", file, i + 2);
      out.push_back(0x10000 + ((char32_t(u) - 0xD800) << 10) + (unit(i + 2) - 0xDC00));
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      throw_error("{}: invalid UTF-16 surrogate at byte {}", file, i + 2);
    } else {
      out.push_back(u);
    }
  }
  return out;
}

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};

}  // namespace

bool decode_charset(std::string_view bytes, const std::string& charset, std::u32string& out) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> conv(ucnv_open(charset.c_str(), &status));
  if (U_FAILURE(status)) return false;
  status = U_ZERO_ERROR;
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status)) return false;
  const char* source = bytes.data();
  const char* limit = bytes.data() + bytes.size();
  out.clear();
  out.reserve(bytes.size());
  while (source < limit) {
    status = U_ZERO_ERROR;
    const UChar32 c = ucnv_getNextUChar(conv.get(), &source, limit, &status);
    if (U_FAILURE(status)) return false;
    out.push_back(static_cast<char32_t>(c));
  }
  return true;
}

std::size_t find_invalid_utf8(std::string_view bytes) {
  char32_t cp;
  for (std::size_t i = 0; i < bytes.size();) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= bytes.size()) {
      std::uint64_t word;
      __builtin_memcpy(&word, bytes.data() + i, 8);
      if (word & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= bytes.size()) break;
    const std::size_t len = decode_one(bytes, i, cp);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::u32string decode_utf8(std::string_view bytes, std::string_view file_name) {
  return decode_utf8_at(bytes, file_name, 0);
}

namespace {

void refuse_nul(const std::u32string& text, std::string_view file_name) {
  if (const auto at = text.find(U'\0'); at != std::u32string::npos)
    throw_error("{}: binary data (NUL character {} of the text), not text", file_name, at);
}

// True when `bytes` look like UTF-8 with a few damaged bytes rather than another encoding: many
// valid multi-byte UTF-8 sequences and few invalid positions. GB18030 text rarely forms valid
// UTF-8 sequences, so decoding such a file as GB18030 would only produce mojibake.
bool damaged_utf8(std::string_view bytes) {
  std::size_t valid_multibyte = 0, invalid = 0;
  char32_t cp;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t len = decode_one(bytes, i, cp);
    if (len == 0) {
      ++invalid;
      ++i;
    } else {
      valid_multibyte += len > 1;
      i += len;
    }
  }
  return valid_multibyte >= 8 * invalid;
}

}  // namespace

DecodedText decode_text(std::string_view bytes, std::string_view file_name) {
  DecodedText result;
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    result.encoding = Encoding::kUtf8Bom;
    result.text = decode_utf8_at(bytes.substr(3), file_name, 3);
  } else if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFF\xFE") {
    result.encoding = Encoding::kUtf16Le;
    result.text = decode_utf16(bytes.substr(2), true, file_name);
  } else if (bytes.size() >= 2 && bytes.substr(0, 2) == "\xFE\xFF") {
    result.encoding = Encoding::kUtf16Be;
    result.text = decode_utf16(bytes.substr(2), false, file_name);
  } else {
    if (const auto nul = bytes.find('\0'); nul != std::string_view::npos)
      throw_error("{}: binary data (NUL byte at offset {}), not text", file_name, nul);
    const std::size_t bad = decode_utf8_into(bytes, result.text);
    if (bad == std::string_view::npos) {
      result.encoding = Encoding::kUtf8;
    } else {
      std::u32string().swap(result.text);  // the part before the fault, and its memory, let go
      if (damaged_utf8(bytes) || !decode_charset(bytes, "gb18030", result.text))
        throw_error("{}: invalid UTF-8 at byte {} (and not GB18030 text either)", file_name, bad);
      result.encoding = Encoding::kGb18030;
    }
  }
  refuse_nul(result.text, file_name);
  return result;
}

std::string encode_utf8(std::u32string_view text) {
  // Written through a pointer into a buffer sized for the worst case: pushing back byte by byte
  // was a tenth of a bulk load's time (it encodes every text it archives).
  std::string out(text.size() * 4, '\0');
  char* p = out.data();
  for (char32_t c : text) {
    assert(c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF));
    if (c < 0x80) {
      *p++ = static_cast<char>(c);
    } else if (c < 0x800) {
      *p++ = static_cast<char>(0xC0 | (c >> 6));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      *p++ = static_cast<char>(0xE0 | (c >> 12));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else {
      *p++ = static_cast<char>(0xF0 | (c >> 18));
      *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      *p++ = static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

bool is_whitespace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  if (c == 0xFEFF || c == 0x200B) return true;
  // No White_Space character lies above U+3000 (besides U+FEFF, handled above): CJK text never
  // needs the ICU call, which was a third of normalization time.
  if (c > 0x3000) return false;
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

std::string escape_controls(std::string_view utf8, std::u32string_view keep) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t c;
    const std::size_t len = decode_one(utf8, i, c);
    if (len == 0) {  // not UTF-8 (a file name may be any bytes)
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(utf8[i]));
      ++i;
      continue;
    }
    const bool control = c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
    // Bidirectional overrides and isolates reorder what follows them on the screen.
    const bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    if ((control || bidi) && keep.find(c) == std::u32string_view::npos) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: out += c < 0x100 ? fmt::format("\\x{:02X}", std::uint32_t(c)) : fmt::format("\\u{{{:04X}}}", std::uint32_t(c));
      }
    } else {
      out.append(utf8.substr(i, len));
    }
    i += len;
  }
  return out;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

std::size_t count_non_whitespace(std::u32string_view text) {
  std::size_t n = 0;
  for (char32_t c : text) n += !is_whitespace(c);
  return n;
}

}  // namespace leitong
