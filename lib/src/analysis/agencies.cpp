#include <leitong/analysis/agencies.h>
#include <leitong/core/document.h>
#include <leitong/core/text.h>

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <iterator>
#include <functional>
#include <numeric>
#include <string_view>

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

// The departments of government as their names are written (the State Council's and the usual
// local 组成部门 and 直属机构, in full and in their common short forms), without the word for the
// kind of body after them.
constexpr std::u32string_view kDepartmentStems[] = {
    U"民政", U"司法", U"财政", U"教育", U"公安", U"国家安全", U"人力资源和社会保障", U"人力资源社会保障", U"人社",
    U"自然资源", U"规划和自然资源", U"规划", U"生态环境", U"环境保护", U"环保", U"住房和城乡建设",
    U"住房城乡建设", U"住建", U"城乡建设", U"交通运输", U"交通", U"水利", U"水务", U"农业农村", U"农业",
    U"商务", U"文化和旅游", U"文化广电旅游", U"文化广电和旅游", U"文化旅游", U"文化和旅游发展", U"文旅",
    U"文化", U"卫生健康", U"卫生和计划生育", U"卫生", U"退役军人事务", U"应急管理", U"审计",
    U"国有资产监督管理", U"国资", U"市场监督管理", U"市场监管", U"广播电视", U"体育", U"统计", U"医疗保障",
    U"医保", U"林业", U"林业和草原", U"城市管理", U"城市管理和综合执法", U"综合行政执法", U"发展和改革",
    U"发展改革", U"发改", U"科学技术", U"科技", U"工业和信息化", U"经济和信息化", U"经信", U"工信",
    U"民族宗教事务", U"民族宗教", U"民族事务", U"宗教事务", U"信访", U"外事", U"侨务", U"地方金融监督管理",
    U"金融", U"数据", U"大数据", U"政务服务", U"政务服务管理", U"政务服务数据管理", U"机关事务管理",
    U"机关事务", U"档案", U"地震", U"气象", U"粮食和物资储备", U"粮食", U"人民防空", U"人防", U"园林",
    U"园林绿化", U"知识产权", U"税务", U"邮政管理", U"供销合作", U"人民政府", U"政府", U"住房保障",
    U"乡村振兴", U"营商环境", U"行政审批"};
constexpr std::u32string_view kBodies[] = {U"委员会", U"办公室", U"管理局", U"局", U"委",
                                                           U"办", U"厅", U"院", U"部", U"署",
                                                           U"中心", U"所", U"站", U"处", U"会"};

// A department's whole name (民政局, 卫生健康委员会, 人民政府办公室): a stem of the list, a body.
bool is_department(std::u32string_view part) {
  for (std::u32string_view body : kBodies) {
    if (part.size() <= body.size() || !part.ends_with(body)) continue;
    const std::u32string_view stem = part.substr(0, part.size() - body.size());
    if (std::find(std::begin(kDepartmentStems), std::end(kDepartmentStems), stem) != std::end(kDepartmentStems)) return true;
  }
  return false;
}

// The department an agency's name ends with, after its place (深圳市罗湖区民政局: 民政局); empty
// when no known department follows a place.
std::u32string_view department_of(std::u32string_view name) {
  for (std::size_t i = 1; i < name.size(); ++i)
    if (ends_region(name[i - 1]) && is_department(name.substr(i))) return name.substr(i);
  return {};
}

// The keys of a name less one character, one per position (AgencyIndex::by_deletion_): of its
// length, the position, and the other characters.
template <typename Visit>
void for_each_deletion_key(std::u32string_view name, std::u32string& scratch, Visit&& visit) {
  for (std::size_t at = 0; at < name.size(); ++at) {
    scratch.assign(name.substr(0, at));
    scratch.append(name.substr(at + 1));
    visit(XXH3_64bits_withSeed(scratch.data(), scratch.size() * sizeof(char32_t),
                               (std::uint64_t(name.size()) << 32) | at));
  }
}

// Code points of valid UTF-8: its bytes less the continuation bytes.
std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

AgencyIndex::AgencyIndex(const std::vector<std::string>& names,
                         const std::vector<std::pair<std::string, std::string>>& aliases, Lookalikes lookalikes)
    : indexed_(lookalikes == Lookalikes::kIndexed) {
  for (const std::string& n : names) add_name(n, n);
  for (const auto& [alias, entry] : aliases) add_name(alias, entry);
}

AgencyIndex::AgencyIndex(const Archive& archive, Lookalikes lookalikes)
    : AgencyIndex(archive.agency_names(), archive.agency_aliases(), lookalikes) {}

void AgencyIndex::insert(const std::string& name) {
  const std::string canonical = canonical_agency(name);
  const auto it = exact_.find(canonical);
  if (it == exact_.end()) return add_name(canonical, canonical);
  if (it->second == canonical) return;
  // An alias's name filed as an agency of its own (an add under it after a rename): the entry
  // wins, as when the register is read whole, and both are then found under its short forms.
  it->second = canonical;
  add_name(canonical, canonical);
}

void AgencyIndex::add_name(const std::string& name, const std::string& entry) {
  exact_.emplace(name, entry);
  const std::u32string n = decode_utf8(name, "agency name");
  for (std::size_t i = 1; i < n.size(); ++i)
    if (ends_region(n[i - 1]) && names_a_place(std::u32string_view(n).substr(i)))
      by_place_suffix_[encode_utf8(std::u32string_view(n).substr(i))].push_back(entry);
  if (indexed_ && n.size() >= 4) {
    lookalike_names_.push_back(name);
    lookalike_decoded_.push_back(n);
    file_deletions(static_cast<std::uint32_t>(lookalike_names_.size() - 1));
  }
}

void AgencyIndex::file_deletions(std::uint32_t name) {
  if (const std::size_t chars = lookalike_decoded_[name].size(); chars > kMaxKeyedChars)
    return long_names_[chars].push_back(name);
  const auto file = [this](std::uint32_t n) {
    const std::size_t mask = by_deletion_.size() - 1;
    std::u32string scratch;
    for_each_deletion_key(lookalike_decoded_[n], scratch, [&](std::uint64_t key) {
      std::size_t at = key & mask;
      while (by_deletion_[at].name != kNoName) at = (at + 1) & mask;
      by_deletion_[at] = {static_cast<std::uint32_t>(key >> 32), n};
      ++deletion_entries_;
    });
  };
  if ((deletion_entries_ + lookalike_decoded_[name].size()) * 10 <= by_deletion_.size() * 7) return file(name);
  // Kept at most 70 % full (linear probing): at least doubled, and every name filed again.
  std::size_t keys = 0;
  for (const std::u32string& n : lookalike_decoded_) keys += n.size() <= kMaxKeyedChars ? n.size() : 0;
  by_deletion_.assign(std::bit_ceil(std::max<std::size_t>(1024, keys * 2)), {});
  deletion_entries_ = 0;
  for (std::uint32_t n = 0; n < lookalike_decoded_.size(); ++n)
    if (lookalike_decoded_[n].size() <= kMaxKeyedChars) file(n);
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
  // rest of the name (民政局, 民政居) it is most often a typo, unless both are departments' names.
  std::size_t place_end = 0;  // the characters naming the place: [0, place_end)
  for (std::size_t i = 0; i + 1 < name.size(); ++i)
    if (ends_region(name[i])) place_end = i + 1;
  std::vector<std::string> lookalikes, other_places;
  const auto consider = [&](const std::string& k, const std::u32string& candidate) {
    if (candidate.size() != name.size() ||
        std::inner_product(name.begin(), name.end(), candidate.begin(), 0, std::plus<>(), std::not_equal_to<>()) != 1)
      return;
    const auto differs = static_cast<std::size_t>(
        std::mismatch(name.begin(), name.end(), candidate.begin()).first - name.begin());
    if (differs < place_end) {
      other_places.push_back(exact_.at(k));
      return;
    }
    // Two departments of one place whose names differ by a character (民政局, 财政局) are two
    // agencies, not a typo.
    const std::u32string_view department = department_of(name), other = department_of(candidate);
    if (!department.empty() && !other.empty() && department != other) return;
    lookalikes.push_back(exact_.at(k));
  };
  if (name.size() > kMaxKeyedChars && indexed_) {
    if (const auto it = long_names_.find(name.size()); it != long_names_.end())
      for (const std::uint32_t n : it->second) consider(lookalike_names_[n], lookalike_decoded_[n]);
  } else if (name.size() >= 4 && indexed_) {
    if (!by_deletion_.empty()) {
      const std::size_t mask = by_deletion_.size() - 1;
      std::u32string scratch;
      for_each_deletion_key(name, scratch, [&](std::uint64_t key) {
        for (std::size_t at = key & mask; by_deletion_[at].name != kNoName; at = (at + 1) & mask)
          if (by_deletion_[at].key_high == static_cast<std::uint32_t>(key >> 32))
            consider(lookalike_names_[by_deletion_[at].name], lookalike_decoded_[by_deletion_[at].name]);
      });
    }
  } else if (name.size() >= 4) {
    // One look-up: a pass over the names of its length costs less than indexing them all.
    for (const auto& [k, entry] : exact_)
      if (code_points(k) == name.size()) consider(k, decode_utf8(k, "agency name"));
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
  return AgencyIndex(known, {}, AgencyIndex::Lookalikes::kScanned).resolve(given);
}

namespace {

// A name already filed, or an alias, resolves as the whole register would resolve it (an exact
// match is decided first there too); only other names need every entry, to find lookalikes.
std::optional<AgencyResolution> resolve_filed(std::string_view given, const Archive& archive) {
  AgencyResolution out;
  out.name = canonical_agency(given);
  const std::optional<std::string> entry = archive.agency_entry(out.name);
  if (!entry) return std::nullopt;
  out.how = *entry == out.name ? AgencyResolution::How::kExact : AgencyResolution::How::kAlias;
  out.name = *entry;
  return out;
}

}  // namespace

AgencyResolution resolve_agency(std::string_view given, const Archive& archive) {
  if (std::optional<AgencyResolution> filed = resolve_filed(given, archive)) return std::move(*filed);
  return AgencyIndex(archive, AgencyIndex::Lookalikes::kScanned).resolve(given);
}

AgencyResolution AgencyResolver::resolve(std::string_view given, const Archive& archive) {
  if (std::optional<AgencyResolution> filed = resolve_filed(given, archive)) return std::move(*filed);
  {
    // The usual case, the register unchanged: resolutions in parallel (a typo's pass over the
    // names takes tens of milliseconds at 200,000 agencies).
    std::shared_lock read(mutex_);
    if (index_ && archive.register_state() == indexed_state_) return index_->resolve(given);
  }
  std::unique_lock write(mutex_);
  // The state is read before the register: a change committed in between is then in the index
  // and seen as a change next time (indexed again, or names inserted twice: a no-op), never missed.
  const RegisterState now = archive.register_state();
  const RegisterState& then = indexed_state_;
  if (!index_ || now.edits != then.edits || now.last_alias != then.last_alias || now.last_agency < then.last_agency) {
    index_.reset();  // the old index's memory given back before the new one is built
    index_ = std::make_unique<AgencyIndex>(archive, AgencyIndex::Lookalikes::kScanned);
  } else if (now.last_agency > then.last_agency) {
    for (const std::string& name : archive.agency_names_after(then.last_agency)) index_->insert(name);
  }
  indexed_state_ = now;
  return index_->resolve(given);
}

}  // namespace leitong
