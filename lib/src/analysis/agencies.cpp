#include <leitong/analysis/agencies.h>
#include <leitong/core/document.h>
#include <leitong/core/text.h>

#include <fmt/format.h>

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

}  // namespace

// Keys of the index of lookalikes: a name one character off another agrees with it in one half.
std::string half_key(std::u32string_view name, int half) {
  const std::size_t mid = name.size() / 2;
  return fmt::format("{}|{}|{}", name.size(), half,
                     encode_utf8(half == 0 ? name.substr(0, mid) : name.substr(mid)));
}

AgencyIndex::AgencyIndex(const std::vector<std::string>& names,
                         const std::vector<std::pair<std::string, std::string>>& aliases) {
  for (const std::string& n : names) add_name(n, n);
  for (const auto& [alias, entry] : aliases) add_name(alias, entry);
}

AgencyIndex::AgencyIndex(const Archive& archive) : AgencyIndex(archive.agency_names(), archive.agency_aliases()) {}

void AgencyIndex::insert(const std::string& name) {
  const std::string canonical = canonical_agency(name);
  if (!exact_.count(canonical)) add_name(canonical, canonical);
}

void AgencyIndex::add_name(const std::string& name, const std::string& entry) {
  exact_.emplace(name, entry);
  const std::u32string n = decode_utf8(name, "agency name");
  for (std::size_t i = 1; i < n.size(); ++i)
    if (ends_region(n[i - 1]) && names_a_place(std::u32string_view(n).substr(i)))
      by_place_suffix_[encode_utf8(std::u32string_view(n).substr(i))].push_back(entry);
  if (n.size() >= 4)
    for (int half = 0; half < 2; ++half) by_half_[half_key(n, half)].push_back(name);
}

AgencyResolution AgencyIndex::resolve(std::string_view given) const {
  AgencyResolution out;
  out.name = canonical_agency(given);
  if (const auto it = exact_.find(out.name); it != exact_.end()) {
    out.how = it->second == out.name ? AgencyResolution::How::kExact : AgencyResolution::How::kAlias;
    out.name = it->second;
    return out;
  }
  const std::u32string name = decode_utf8(out.name, "agency name");
  std::vector<std::string> shorter_than_known, longer_than_known;
  if (const auto it = by_place_suffix_.find(out.name); it != by_place_suffix_.end()) shorter_than_known = it->second;
  for (std::size_t i = 1; i < name.size(); ++i) {
    if (!ends_region(name[i - 1]) || !names_a_place(std::u32string_view(name).substr(i))) continue;
    if (const auto it = exact_.find(encode_utf8(std::u32string_view(name).substr(i))); it != exact_.end())
      longer_than_known.push_back(it->second);
  }
  std::vector<std::string> fits = shorter_than_known;
  fits.insert(fits.end(), longer_than_known.begin(), longer_than_known.end());
  std::sort(fits.begin(), fits.end());
  fits.erase(std::unique(fits.begin(), fits.end()), fits.end());
  if (fits.size() == 1) {
    out.how = std::find(shorter_than_known.begin(), shorter_than_known.end(), fits.front()) == shorter_than_known.end()
                  ? AgencyResolution::How::kLongName
                  : AgencyResolution::How::kShortName;
    out.name = fits.front();
    return out;
  }
  if (fits.size() > 1) {
    out.how = AgencyResolution::How::kAmbiguous;
    out.candidates = std::move(fits);
    return out;
  }
  // One character off in the name of the place is most often another place (渝中区, 渝北区); in the
  // rest of the name (民政局, 民政居) it is most often a typo.
  std::size_t place_end = 0;  // the characters naming the place: [0, place_end)
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (ends_region(name[i])) place_end = i + 1;
  std::vector<std::string> lookalikes, other_places;
  if (name.size() >= 4)
    for (int half = 0; half < 2; ++half) {
      const auto it = by_half_.find(half_key(name, half));
      if (it == by_half_.end()) continue;
      for (const std::string& k : it->second) {
        const std::u32string candidate = decode_utf8(k, "agency name");
        if (candidate.size() != name.size() ||
            std::inner_product(name.begin(), name.end(), candidate.begin(), 0, std::plus<>(), std::not_equal_to<>()) != 1)
          continue;
        const auto differs = static_cast<std::size_t>(
            std::mismatch(name.begin(), name.end(), candidate.begin()).first - name.begin());
        (differs < place_end ? other_places : lookalikes).push_back(exact_.at(k));
      }
    }
  for (auto* list : {&lookalikes, &other_places}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
    if (list->size() > 5) list->resize(5);
  }
  out.candidates = std::move(lookalikes);
  out.other_places = std::move(other_places);
  return out;
}

AgencyResolution resolve_agency(std::string_view given, const std::vector<std::string>& known) {
  return AgencyIndex(known).resolve(given);
}

AgencyResolution resolve_agency(std::string_view given, const Archive& archive) {
  return AgencyIndex(archive).resolve(given);
}

}  // namespace leitong
