#include <leitong/error.h>
#include <leitong/normalize.h>
#include <leitong/text.h>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace leitong {

char32_t canonical_punctuation(char32_t c) {
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

inline bool is_cjk_fast(char32_t c) { return c >= 0x4E00 && c <= 0x9FFF; }

// True when `c` certainly starts a new NFKC segment (ASCII, CJK ideographs): saves an ICU call.
inline bool fast_boundary(char32_t c) { return c < 0x300 || is_cjk_fast(c); }

// Characters that NFKC leaves unchanged, known without ICU.
inline bool fast_inert(char32_t c) { return (c >= 0x20 && c < 0x7F) || is_cjk_fast(c) || c == '\n'; }

// Collects normalized code points with their source ranges, applying the per-character steps
// (case, punctuation, whitespace, digit masking) as code points arrive from NFKC.
class Emitter {
 public:
  Emitter(const NormalizeParams& params, NormalizedText& out) : params_(params), out_(out) {}

  void put(char32_t c, std::uint32_t b, std::uint32_t e) {
    if (params_.fold_case && c < 0x3000) c = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
    if (params_.drop_whitespace && is_whitespace(c)) return;
    if (params_.mask_digits) {
      const bool digit = (c >= '0' && c <= '9') || (c >= 0x80 && u_isdigit(static_cast<UChar32>(c)));
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

  void finish() { flush_number(); }

 private:
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
  bool in_number_ = false, has_separator_ = false;
  std::uint32_t number_begin_ = 0, number_end_ = 0;
  char32_t sep_ = 0;
  std::uint32_t sep_begin_ = 0, sep_end_ = 0;
};

}  // namespace

NormalizedText normalize(std::u32string_view text, const NormalizeParams& params) {
  NormalizedText out;
  out.chars.reserve(text.size());
  out.begin.reserve(text.size());
  out.end.reserve(text.size());
  Emitter emitter(params, out);

  const icu::Normalizer2* nfkc = nullptr;
  if (params.nfkc) {
    UErrorCode status = U_ZERO_ERROR;
    nfkc = icu::Normalizer2::getNFKCInstance(status);
    if (U_FAILURE(status)) throw_error("ICU NFKC normalizer unavailable: {}", u_errorName(status));
  }

  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const char32_t c = text[i];
    if (!nfkc) {
      emitter.put(c, std::uint32_t(i), std::uint32_t(i + 1));
      ++i;
      continue;
    }
    // A segment: c plus every following code point that has no NFKC boundary before it.
    std::size_t j = i + 1;
    while (j < n && !fast_boundary(text[j]) &&
           !nfkc->hasBoundaryBefore(static_cast<UChar32>(text[j])))
      ++j;
    const auto b = std::uint32_t(i), e = std::uint32_t(j);
    if (j == i + 1 && fast_inert(c)) {
      emitter.put(c, b, e);
    } else if (j == i + 1 && c >= 0xFF01 && c <= 0xFF5E) {
      emitter.put(c - 0xFEE0, b, e);  // full-width ASCII, the commonest NFKC case in reports
    } else if (j == i + 1 && c == 0x3000) {
      emitter.put(U' ', b, e);
    } else {
      icu::UnicodeString segment = icu::UnicodeString::fromUTF32(
          reinterpret_cast<const UChar32*>(text.data() + i), static_cast<int32_t>(j - i));
      UErrorCode status = U_ZERO_ERROR;
      const icu::UnicodeString normalized = nfkc->normalize(segment, status);
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
  return out;
}

}  // namespace leitong
