#include <leitong/core/document.h>
#include <leitong/core/normalize.h>
#include <leitong/core/text.h>
#include <xxhash.h>

#include <fmt/format.h>

namespace leitong {

std::string_view kind_name(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kTemplate: return "template";
    case DocumentKind::kForm: return "form";
    case DocumentKind::kReport: break;
  }
  return "report";
}

std::optional<DocumentKind> parse_kind(std::string_view name) {
  if (name == "report") return DocumentKind::kReport;
  if (name == "template") return DocumentKind::kTemplate;
  if (name == "form") return DocumentKind::kForm;
  return std::nullopt;
}

std::string canonical_agency(std::string_view name) {
  NormalizeParams params;
  // Names are keys: only width, case and whitespace are folded. 第十二中学 must not become 第#中学,
  // and keys must stay what format-1 archives stored.
  params.canonical_punctuation = false;
  params.mask_digits = false;
  params.mask_chinese_numerals = false;
  params.traditional_to_simplified = false;
  params.fold_case = true;
  const std::u32string decoded = decode_utf8(name, "agency name");
  return encode_utf8(normalize(decoded, params).chars);
}

std::string content_hash(std::u32string_view text) { return content_hash_of_utf8(encode_utf8(text)); }

std::string content_hash_of_utf8(std::string_view utf8) {
  const XXH128_hash_t h = XXH3_128bits(utf8.data(), utf8.size());
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace leitong
