#include <leitong/core/error.h>
#include <leitong/core/normalize.h>
#include <leitong/core/simd.h>
#include <leitong/core/text.h>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>
#include <vector>

#include "detail/simd_targets.h"

namespace leitong {

char32_t canonical_punctuation(char32_t c) {
  if (c >= 0x3400 && c <= 0xFDFF) return c;  // ideographs, mostly: no mark this maps lies in the range
  switch (c) {
    case U'，': case U'、': case U'﹐': case U'﹑': case U'､': case U'‚':
      return U',';
    case U'。': case U'｡': case U'．': case U'﹒':
      return U'.';
    case U'；': case U'﹔': return U';';
    case U'：': case U'﹕': case U'∶': return U':';
    case U'！': case U'﹗': return U'!';
    case U'？': case U'﹖': return U'?';
    case U'“': case U'”': case U'„': case U'‟': case U'\'': case U'‘': case U'’': case U'‛':
    case U'「': case U'」': case U'『': case U'』': case U'＂': case U'＇': case U'〝': case U'〞':
      return U'"';
    case U'（': case U'【': case U'〔': case U'[': case U'〖': case U'［': case U'{': case U'｛':
    case U'﹙': case U'⦅': case U'〘':
      return U'(';
    case U'）': case U'】': case U'〕': case U']': case U'〗': case U'］': case U'}': case U'｝':
    case U'﹚': case U'⦆': case U'〙':
      return U')';
    case U'《': case U'〈': case U'‹': case U'«': case U'＜': return U'<';
    case U'》': case U'〉': case U'›': case U'»': case U'＞': return U'>';
    case U'—': case U'–': case U'―': case U'‐': case U'‑': case U'‒': case U'−': case U'﹣':
    case U'－': case U'─': case U'━': case U'～': case U'~': case U'〜':
      return U'-';
    case U'…': case U'‥': return U'.';
    case U'·': case U'•': case U'・': case U'‧': case U'∙': return U'·';
    default:
      return c;
  }
}

namespace {

// The unified ideographs block, which NFKC leaves alone (unlike the compatibility ideographs).
inline bool in_unified_ideographs(char32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }

// True when `c` certainly starts a new NFKC segment (ASCII, CJK ideographs): saves a look-up.
inline bool fast_boundary(char32_t c) { return c < 0x300 || in_unified_ideographs(c); }

// Characters that NFKC leaves unchanged, known without a table.
inline bool fast_inert(char32_t c) {
  return (c >= 0x20 && c < 0x7F) || in_unified_ideographs(c) || c == '\n';
}

// NFKC in the Basic Multilingual Plane from tables made at build time from ICU
// (make_nfkc_table.cpp): whether a segment starts before a code point, and what NFKC makes of a
// code point that is a segment alone. ICU itself (its NFKC data, read from disk on first use) is
// asked only for a longer segment or a code point beyond the BMP: a report of Chinese text seldom
// has either (a name in a CJK extension beyond the BMP does).
struct NfkcChange {
  char32_t c;
  std::uint32_t first, count;  // in kNfkcPool
};
#include "nfkc_table.inc"

inline bool table_bit(const std::uint32_t* words, char32_t c) { return (words[c >> 5] >> (c & 31)) & 1u; }

const icu::Normalizer2& icu_nfkc() {
  static const icu::Normalizer2* const nfkc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) throw_error("ICU NFKC normalizer unavailable: {}", u_errorName(status));
    return instance;
  }();
  return *nfkc;
}

// Code points whose NFKC alone the tables hold: the BMP but the surrogates (never in decoded text;
// ICU's path turns a lone one into U+FFFD).
inline bool in_nfkc_table(char32_t c) { return c < 0xD800 || (c >= 0xE000 && c < 0x10000); }

inline bool nfkc_boundary_before(char32_t c) {
  return c < 0x10000 ? table_bit(kNfkcBoundaryBefore, c) : icu_nfkc().hasBoundaryBefore(static_cast<UChar32>(c));
}

// NFKC of a BMP code point that is a segment of its own and that NFKC changes (kNfkcChanged).
std::u32string_view nfkc_of_changed(char32_t c) {
  const auto* it = std::lower_bound(std::begin(kNfkcChanges), std::end(kNfkcChanges), c,
                                    [](const NfkcChange& change, char32_t x) { return change.c < x; });
  return {kNfkcPool + it->first, it->count};
}

// Traditional → simplified, character by character, from OpenCC's t2s conversion of each CJK
// ideograph on its own: a table made at build time (make_t2s_table.cpp), so that no process loads
// OpenCC. A character that OpenCC does not turn into exactly one other BMP code point stays as it is.
class T2s {
 public:
  static constexpr char32_t kFirst = 0x3400, kLast = 0xFAFF;

  static char32_t map(char32_t c) { return c >= kFirst && c <= kLast ? kTable[c - kFirst] : c; }

 private:
  struct Conversion {
    char16_t traditional, simplified;
  };
  static constexpr Conversion kConversions[] = {
#include "t2s_table.inc"
  };
  static constexpr auto kTable = [] {
    std::array<char16_t, kLast - kFirst + 1> table{};
    for (char32_t c = kFirst; c <= kLast; ++c) table[c - kFirst] = static_cast<char16_t>(c);
    for (const Conversion& conversion : kConversions)
      table[conversion.traditional - kFirst] = conversion.simplified;
    return table;
  }();
};

// Characters of Chinese numerals: digit-like ones and the ones that only occur inside numbers
// written out (〇 and the units).
inline bool is_numeral_digit(char32_t c) {
  switch (c) {
    case U'一':
    case U'二':
    case U'三':
    case U'四':
    case U'五':
    case U'六':
    case U'七':
    case U'八':
    case U'九':
    case U'两':
      return true;
    default:
      return false;
  }
}
inline bool is_numeral_unit(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
    case U'十':
    case U'百':
    case U'千':
    case U'万':
    case U'亿':
      return true;
    default:
      return false;
  }
}
inline bool is_chinese_numeral(char32_t c) { return is_numeral_digit(c) || is_numeral_unit(c); }

// Collects normalized code points with their source ranges, applying the per-character steps
// (traditional → simplified, case, punctuation, whitespace, Chinese numeral and digit masking) as
// code points arrive from NFKC.
class Emitter {
 public:
  Emitter(const NormalizeParams& params, NormalizedText& out)
      : params_(params),
        out_(out),
        t2s_(params.traditional_to_simplified) {}

  [[gnu::always_inline]] void put(char32_t c, std::uint32_t b, std::uint32_t e) {
    if (t2s_) c = T2s::map(c);
    // Most of a report: an ideograph that is no numeral, with no number waiting. No step changes
    // it (no case, space, digit or mark among them), so it goes straight out, inline.
    if (in_unified_ideographs(c) && !in_number_ && numerals_.empty() && !is_chinese_numeral(c)) {
      out_.chars.push_back(c);
      out_.begin.push_back(b);
      out_.end.push_back(e);
      return;
    }
    put_general(c, b, e);
  }

  void finish() {
    resolve_numerals();
    flush_number();
  }

 private:
  void put_general(char32_t c, std::uint32_t b, std::uint32_t e) {
    if (params_.fold_case && c < 0x3000)
      c = c < 0x80 ? (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c)
                   : static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
    if (params_.drop_whitespace && is_whitespace(c)) return;
    if (params_.mask_chinese_numerals) {
      if (is_chinese_numeral(c)) {
        if (numerals_.empty()) flush_number();
        numerals_.push_back({c, b, e});
        return;
      }
      resolve_numerals();
    }
    put_plain(c, b, e);
  }

  struct Pending {
    char32_t c;
    std::uint32_t b, e;
  };

  // The run of numeral characters just read: one '#' when it is clearly a number (two or more
  // characters, one of them 〇零十百千万亿), else its characters as they are.
  void resolve_numerals() {
    if (numerals_.empty()) return;
    bool mask = false;
    if (numerals_.size() >= 2)
      for (const Pending& p : numerals_) mask |= is_numeral_unit(p.c);
    if (mask) {
      emit(U'#', numerals_.front().b, numerals_.back().e);
    } else {
      for (const Pending& p : numerals_) emit(p.c, p.b, p.e);
    }
    numerals_.clear();
  }

  void put_plain(char32_t c, std::uint32_t b, std::uint32_t e) {
    if (params_.mask_digits) {
      const bool digit =
          (c >= '0' && c <= '9') ||
          // No decimal digit among CJK punctuation and ideographs (U+3000–U+9FFF): skip ICU there.
          (c >= 0x80 && !(c >= 0x3000 && c <= 0x9FFF) && u_isdigit(static_cast<UChar32>(c)));
      if (digit) {
        if (in_number_) {
          if (has_separator_) has_separator_ = false;  // "3.5": the separator joins the number
          number_end_ = e;
        } else {
          in_number_ = true;
          number_begin_ = b;
          number_end_ = e;
        }
        return;
      }
      if (in_number_ && !has_separator_ && (c == '.' || c == ',' || c == U'．' || c == U'，')) {
        has_separator_ = true;
        sep_ = c, sep_begin_ = b, sep_end_ = e;
        return;
      }
      flush_number();
    }
    emit(c, b, e);
  }

  void flush_number() {
    if (!in_number_) return;
    in_number_ = false;
    emit(U'#', number_begin_, number_end_);
    if (has_separator_) {
      has_separator_ = false;
      emit(sep_, sep_begin_, sep_end_);
    }
  }

  void emit(char32_t c, std::uint32_t b, std::uint32_t e) {
    if (params_.canonical_punctuation) {
      c = canonical_punctuation(c);
      // "——" and "……" are one mark each: repeated dashes and dots collapse.
      if ((c == U'-' || c == U'.') && !out_.chars.empty() && out_.chars.back() == c) {
        out_.end.back() = e;
        return;
      }
    }
    out_.chars.push_back(c);
    out_.begin.push_back(b);
    out_.end.push_back(e);
  }

  const NormalizeParams& params_;
  NormalizedText& out_;
  bool t2s_;
  std::vector<Pending> numerals_;
  bool in_number_ = false, has_separator_ = false;
  std::uint32_t number_begin_ = 0, number_end_ = 0;
  char32_t sep_ = 0;
  std::uint32_t sep_begin_ = 0, sep_end_ = 0;
};

// The body of normalize(), inlined into one function per instruction set: the emitter's loops
// vectorize better with AVX2 and AVX-512.
[[gnu::always_inline]] inline void normalize_impl(std::u32string_view text, const NormalizeParams& params,
                                                  NormalizedText& out) {
  out.chars.clear();
  out.begin.clear();
  out.end.clear();
  out.chars.reserve(text.size());
  out.begin.reserve(text.size());
  out.end.reserve(text.size());
  Emitter emitter(params, out);

  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const char32_t c = text[i];
    if (!params.nfkc) {
      emitter.put(c, std::uint32_t(i), std::uint32_t(i + 1));
      ++i;
      continue;
    }
    // A segment: c plus every following code point that has no NFKC boundary before it.
    std::size_t j = i + 1;
    while (j < n && !fast_boundary(text[j]) && !nfkc_boundary_before(text[j])) ++j;
    const auto b = std::uint32_t(i), e = std::uint32_t(j);
    if (j == i + 1 && (fast_inert(c) || (in_nfkc_table(c) && !table_bit(kNfkcChanged, c)))) {
      emitter.put(c, b, e);
    } else if (j == i + 1 && in_nfkc_table(c)) {
      for (const char32_t cp : nfkc_of_changed(c)) emitter.put(cp, b, e);
    } else {
      icu::UnicodeString segment = icu::UnicodeString::fromUTF32(
          reinterpret_cast<const UChar32*>(text.data() + i), static_cast<int32_t>(j - i));
      UErrorCode status = U_ZERO_ERROR;
      const icu::UnicodeString normalized = icu_nfkc().normalize(segment, status);
      if (U_FAILURE(status)) throw_error("NFKC normalization failed: {}", u_errorName(status));
      for (int32_t k = 0; k < normalized.length();) {
        const UChar32 cp = normalized.char32At(k);
        emitter.put(static_cast<char32_t>(cp), b, e);
        k += U16_LENGTH(cp);
      }
    }
    i = j;
  }
  emitter.finish();
}

void normalize_portable(std::u32string_view text, const NormalizeParams& params, NormalizedText& out) {
  normalize_impl(text, params, out);
}

#if defined(LEITONG_X86_SIMD)
LEITONG_TARGET_AVX2 void normalize_avx2(std::u32string_view text, const NormalizeParams& params,
                                        NormalizedText& out) {
  normalize_impl(text, params, out);
}

LEITONG_TARGET_AVX512 void normalize_avx512(std::u32string_view text, const NormalizeParams& params,
                                            NormalizedText& out) {
  normalize_impl(text, params, out);
}
#endif

}  // namespace

void normalize_into(std::u32string_view text, const NormalizeParams& params, NormalizedText& out) {
#if defined(LEITONG_X86_SIMD)
  switch (simd_path()) {
    case SimdPath::kAvx512: return normalize_avx512(text, params, out);
    case SimdPath::kAvx2: return normalize_avx2(text, params, out);
    case SimdPath::kPortable: break;
  }
#endif
  normalize_portable(text, params, out);
}

NormalizedText normalize(std::u32string_view text, const NormalizeParams& params) {
  NormalizedText out;
  normalize_into(text, params, out);
  return out;
}

}  // namespace leitong
