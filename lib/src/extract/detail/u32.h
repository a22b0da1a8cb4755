// Small helpers on code-point strings shared by the extractors (internal).
#pragma once

#include <leitong/core/text.h>

#include <string>
#include <string_view>

namespace leitong::detail {

// `s` without leading and trailing whitespace (text.h is_whitespace: also U+3000, U+00A0, BOM).
inline std::u32string_view trim(std::u32string_view s) {
  while (!s.empty() && is_whitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_whitespace(s.back())) s.remove_suffix(1);
  return s;
}

inline bool starts_with(std::u32string_view s, std::u32string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

inline bool ends_with(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

inline bool contains(std::u32string_view s, std::u32string_view part) {
  return s.find(part) != std::u32string_view::npos;
}

inline bool is_colon(char32_t c) { return c == U':' || c == U'：'; }

inline bool is_sentence_end(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；' || c == U'.' || c == U'!' ||
         c == U'?' || c == U'；' || c == U';';
}

inline bool is_ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }

// ASCII or full-width digit value, or -1.
inline int digit_value(char32_t c) {
  if (c >= '0' && c <= '9') return int(c - '0');
  if (c >= U'０' && c <= U'９') return int(c - U'０');
  return -1;
}

// Lenient UTF-8 → code points for strings the library built itself (invalid bytes → U+FFFD).
inline std::u32string to_u32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = b0 < 0x80         ? 1
                      : (b0 >> 5) == 6  ? 2
                      : (b0 >> 4) == 14 ? 3
                      : (b0 >> 3) == 30 ? 4
                                        : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

}  // namespace leitong::detail
