#include "detail/synth_sources.h"

#include <leitong/core/error.h>
#include <leitong/extract/extract.h>

#include <algorithm>

namespace leitong::detail {

namespace {

namespace fs = std::filesystem;

// Characters of Chinese numerals (for the sentence pool's near-duplicate key only).
bool is_numeral_character(char32_t c) {
  return std::u32string_view(U"〇零一二两三四五六七八九十百千万亿").find(c) !=
         std::u32string_view::npos;
}

// Name parts: fabricated two-character district names under real city names.
constexpr const char* kCities[] = {"重庆市", "成都市", "西安市", "长沙市",
                                   "武汉市", "昆明市", "贵阳市", "南宁市"};
// Cities for agencies beyond the first 92,160 (archives of a million reports), so that the names
// of smaller corpora stay what they were.
constexpr const char* kMoreCities[] = {"杭州市", "南京市", "合肥市", "福州市", "南昌市", "济南市",
                                       "郑州市", "太原市", "沈阳市", "长春市", "兰州市", "西宁市",
                                       "银川市", "海口市", "拉萨市", "天津市"};
constexpr const char* kFirst[] = {"东", "西", "南", "北", "青", "白", "金", "石",
                                  "长", "新", "永", "安", "平", "清", "龙", "凤",
                                  "云", "桃", "松", "宁", "和", "嘉", "盛", "兴"};
constexpr const char* kSecond[] = {"江", "山", "川", "河", "湖", "阳", "林", "泉",
                                   "峰", "桥", "城", "田", "溪", "岭", "源", "华",
                                   "丰", "坪", "湾", "门", "原", "岗", "塘", "州"};
constexpr const char* kDepartments[] = {"民政局",
                                        "司法局",
                                        "财政局",
                                        "教育委员会",
                                        "人力资源和社会保障局",
                                        "生态环境局",
                                        "交通运输委员会",
                                        "农业农村委员会",
                                        "商务委员会",
                                        "文化和旅游发展委员会",
                                        "卫生健康委员会",
                                        "应急管理局",
                                        "市场监督管理局",
                                        "统计局",
                                        "医疗保障局",
                                        "城市管理局",
                                        "水利局",
                                        "林业局",
                                        "规划和自然资源局",
                                        "退役军人事务局"};
constexpr const char* kSubheadings[] = {
    "深入学习贯彻习近平法治思想", "全面依法履行政府职能",   "健全依法行政制度体系",
    "推进严格规范公正文明执法",   "强化行政权力制约和监督", "依法有效化解社会矛盾纠纷",
    "加强法治宣传教育",           "提升依法决策水平",       "持续优化法治化营商环境",
    "加强行政执法队伍建设",       "深化政务公开",           "推进数字法治政府建设"};

constexpr std::size_t kFirstCapacity =
    std::size(kDepartments) * std::size(kFirst) * std::size(kSecond) * std::size(kCities);
constexpr std::size_t kAgencyCapacity =
    kFirstCapacity +
    std::size(kDepartments) * std::size(kFirst) * std::size(kSecond) * std::size(kMoreCities);

}  // namespace

std::size_t agency_capacity() { return kAgencyCapacity; }

std::span<const char* const> subheadings() { return kSubheadings; }

Agency make_agency(std::size_t index) {
  const bool more = index >= kFirstCapacity;
  if (more) index -= kFirstCapacity;
  const std::span<const char* const> cities =
      more ? std::span<const char* const>(kMoreCities) : std::span<const char* const>(kCities);
  const std::size_t districts = std::size(kFirst) * std::size(kSecond) * cities.size();
  const std::size_t d = index % districts;  // neighbouring agencies lie in different districts
  const char* dept = kDepartments[(index / districts) % std::size(kDepartments)];
  const std::size_t p1 = d % std::size(kFirst), p2 = (d / std::size(kFirst)) % std::size(kSecond);
  const std::size_t city = (d / (std::size(kFirst) * std::size(kSecond))) % cities.size();
  const std::string district = std::string(kFirst[p1]) + kSecond[p2] + (d % 5 == 4 ? "县" : "区");
  Agency a;
  a.name = std::string(cities[city]) + district + dept;
  a.district = u32(district);
  a.short_name = u32(district + dept);
  return a;
}

Pool::Pool(const std::filesystem::path& corpora, Rng& rng) : rng_(rng) {
  std::vector<fs::path> files;
  // laws/ (../shared/corpora) is large: with it the pool lasts for tens of thousands of reports.
  for (const char* sub : {"reports", "gov-work-reports", "laws"}) {
    std::error_code ec;
    if (!fs::is_directory(corpora / sub, ec)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(corpora / sub)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".txt" || ext == ".md") &&
          entry.path().filename() != "_index.md")
        files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::unordered_set<std::u32string> seen;
  for (const fs::path& f : files) {
    const std::u32string text = extract_file(f).text;
    std::u32string current;
    for (char32_t c : text) {
      if (c == U'\n' || c == U'\r') {
        current.clear();  // a line without a terminator is a heading or a fragment
        continue;
      }
      current.push_back(c);
      if (!is_terminator(c)) continue;
      std::u32string s;
      for (char32_t x : current)
        if (!is_whitespace(x)) s.push_back(x);
      current.clear();
      std::size_t cjk = 0;
      for (char32_t x : s) cjk += is_cjk(x);
      if (s.size() < 12 || s.size() > 120 || cjk * 10 < s.size() * 7) continue;
      if (!is_cjk(s[0]) || (s.size() > 1 && s[1] == U'、')) continue;
      // Near-duplicates too (the national reports repeat their phrases from year to year): a
      // sentence sharing any kKeyWindow characters (punctuation left out, a run of digits or
      // numerals one character, as leitong masks them) with an earlier one, or repeating such a
      // stretch within itself, is skipped, so that independent reports share nothing but the
      // planted text and the formulae.
      std::u32string key;
      for (char32_t x : s) {
        const bool numeral = (x >= U'0' && x <= U'9') || is_numeral_character(x);
        if (numeral) {
          if (key.empty() || key.back() != U'#') key.push_back(U'#');
        } else if (is_cjk(x)) {
          key.push_back(x);
        }
      }
      std::vector<std::uint64_t> windows;
      bool repeated = false;
      for (std::size_t i = 0; i + kKeyWindow <= key.size() && !repeated; ++i) {
        std::uint64_t h = 1469598103934665603ull;
        for (std::size_t k = 0; k < kKeyWindow; ++k) h = (h ^ key[i + k]) * 1099511628211ull;
        repeated =
            windows_.count(h) > 0 || std::find(windows.begin(), windows.end(), h) != windows.end();
        windows.push_back(h);
      }
      if (repeated || !seen.insert(s).second) continue;
      windows_.insert(windows.begin(), windows.end());
      sentences_.push_back(std::move(s));
    }
  }
  if (sentences_.size() < 200)
    throw_error("{}: too few sentences in reports/*.txt and gov-work-reports/*.txt ({})",
                corpora.string(), sentences_.size());
  order_.resize(sentences_.size());
  for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
  shuffle();
}

// Every 4-digit year 1950–2049 set to `year`.
std::u32string set_years(std::u32string s, int year) {
  const std::u32string y = u32(std::to_string(year));
  for (std::size_t i = 0; i + 4 <= s.size(); ++i) {
    bool digits = true;
    for (std::size_t k = 0; k < 4; ++k) digits = digits && s[i + k] >= U'0' && s[i + k] <= U'9';
    const bool bounded = (i == 0 || s[i - 1] < U'0' || s[i - 1] > U'9') &&
                         (i + 4 == s.size() || s[i + 4] < U'0' || s[i + 4] > U'9');
    if (!digits || !bounded) continue;
    const int value = int(s[i] - U'0') * 1000 + int(s[i + 1] - U'0') * 100 +
                      int(s[i + 2] - U'0') * 10 + int(s[i + 3] - U'0');
    if (value >= 1950 && value <= 2049) s.replace(i, 4, y);
  }
  return s;
}

// Years moved by `delta`, other digit runs changed with probability `p`.
std::u32string bump(const std::u32string& s, int delta, double p, Rng& rng) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] < U'0' || s[i] > U'9') {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = i;
    int value = 0;
    while (j < s.size() && s[j] >= U'0' && s[j] <= U'9') value = value * 10 + int(s[j++] - U'0');
    if (j - i == 4 && value >= 1950 && value <= 2049)
      out += u32(std::to_string(value + delta));
    else if (rng.chance(p))
      out += u32(std::to_string(1 + rng.below(j - i >= 3 ? 999 : 99)));
    else
      out.append(s, i, j - i);
    i = j;
  }
  return out;
}

std::u32string replace_all(std::u32string s, const std::u32string& from, const std::u32string& to) {
  if (from.empty() || from == to) return s;
  for (std::size_t i = s.find(from); i != std::u32string::npos; i = s.find(from, i + to.size()))
    s.replace(i, from.size(), to);
  return s;
}

std::vector<std::u32string> split_sentences(const std::u32string& p) {
  std::vector<std::u32string> out;
  std::u32string cur;
  for (char32_t c : p) {
    cur.push_back(c);
    if (is_terminator(c)) out.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace leitong::detail
