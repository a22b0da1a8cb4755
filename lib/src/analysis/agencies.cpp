#include <leitong/analysis/agencies.h>
#include <leitong/core/document.h>
#include <leitong/core/text.h>

#include <algorithm>
#include <functional>
#include <numeric>

namespace leitong {

namespace {

// Characters that end the name of a region: 广东省, 深圳市, 罗湖区, 某县, 某自治州, 某盟, 某旗,
// 某镇, 某乡 (a 街道 is named inside its 区).
bool ends_region(char32_t c) {
  return c == U'省' || c == U'市' || c == U'区' || c == U'县' || c == U'州' || c == U'盟' || c == U'旗' ||
         c == U'镇' || c == U'乡';
}

// A name that names its place: a region ends before its last character (罗湖区民政局, not 民政局).
bool names_a_place(std::u32string_view name) {
  return name.size() >= 2 && std::any_of(name.begin(), name.end() - 1, ends_region);
}

// `longer` is `shorter` with regions in front: the cut falls right after a region's end.
bool has_regions_in_front(std::u32string_view longer, std::u32string_view shorter) {
  return longer.size() > shorter.size() && longer.ends_with(shorter) &&
         ends_region(longer[longer.size() - shorter.size() - 1]) && names_a_place(shorter);
}

}  // namespace

AgencyResolution resolve_agency(std::string_view given, const std::vector<std::string>& known) {
  AgencyResolution out;
  out.name = canonical_agency(given);
  if (std::find(known.begin(), known.end(), out.name) != known.end()) {
    out.how = AgencyResolution::How::kExact;
    return out;
  }
  const std::u32string name = decode_utf8(out.name, "agency name");
  std::vector<std::string> shorter_than_known, longer_than_known, lookalikes;
  for (const std::string& k : known) {
    const std::u32string candidate = decode_utf8(k, "agency name");
    if (has_regions_in_front(candidate, name)) shorter_than_known.push_back(k);
    else if (has_regions_in_front(name, candidate)) longer_than_known.push_back(k);
    else if (candidate.size() == name.size() && name.size() >= 4 &&
             std::inner_product(name.begin(), name.end(), candidate.begin(), 0, std::plus<>(),
                                std::not_equal_to<>()) == 1)
      lookalikes.push_back(k);
  }
  std::vector<std::string> fits = shorter_than_known;
  fits.insert(fits.end(), longer_than_known.begin(), longer_than_known.end());
  std::sort(fits.begin(), fits.end());
  if (fits.size() == 1) {
    out.how = shorter_than_known.empty() ? AgencyResolution::How::kLongName : AgencyResolution::How::kShortName;
    out.name = fits.front();
  } else if (fits.size() > 1) {
    out.how = AgencyResolution::How::kAmbiguous;
    out.candidates = std::move(fits);
  } else {
    std::sort(lookalikes.begin(), lookalikes.end());
    if (lookalikes.size() > 5) lookalikes.resize(5);
    out.candidates = std::move(lookalikes);
  }
  return out;
}

AgencyResolution resolve_agency(std::string_view given, const Archive& archive) {
  return resolve_agency(given, archive.agency_names());
}

}  // namespace leitong
