#include "detail/synth_sources.h"

#include <leitong/core/error.h>
#include <leitong/extract/extract.h>

#include <algorithm>
#include <unordered_set>

namespace leitong::detail {

namespace {

namespace fs = std::filesystem;

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

std::vector<std::u32string> local_names(std::size_t index) {
  // 112 characters common in Chinese place and project names (none a numeral, which
  // normalization masks): 12,544 stems, 12 suffixes.
  static const std::u32string kStems =
      U"东西南北中上下前后新老大小长高平安宁和兴隆福寿康泰华荣昌盛丰茂富裕吉祥瑞乐嘉"
      U"青白金银玉石山水河湖江海溪泉林松柏竹梅兰桃李杏柳花草田园村庄桥塘湾坪岭峰岩"
      U"龙凤鹤鹿云星月阳光明春秋晨曦红绿黄紫蓝翠碧文武德仁义礼智信忠孝尚志远达通顺";
  static const char32_t* const kSuffixes[] = {U"街道",   U"镇",     U"社区",   U"村",
                                             U"服务中心", U"执法队", U"管理所", U"服务站",
                                             U"工程",   U"行动",   U"示范区", U"项目"};
  constexpr std::size_t kNames = 16;
  Rng rng(0x6C6F63616C000000ull ^ (std::uint64_t(index) * 0x9E3779B97F4A7C15ull));
  std::vector<std::u32string> out;
  out.reserve(kNames);
  for (std::size_t k = 0; k < kNames; ++k) {
    std::u32string name{kStems[rng.below(kStems.size())], kStems[rng.below(kStems.size())]};
    name += kSuffixes[k % std::size(kSuffixes)];
    out.push_back(std::move(name));
  }
  return out;
}

std::u32string with_local_names(const std::u32string& sentence, std::span<const std::u32string> names,
                                double share, Rng& rng) {
  if (names.empty() || share <= 0) return sentence;
  std::u32string out;
  out.reserve(sentence.size() + 16);
  const bool has_comma = sentence.find(U'，') != std::u32string::npos;
  for (std::size_t i = 0; i < sentence.size(); ++i) {
    const bool clause_start = has_comma ? i > 0 && sentence[i - 1] == U'，' : i == 0;
    if (clause_start && !is_terminator(sentence[i]) && rng.chance(share))
      out += names[rng.below(names.size())];
    out.push_back(sentence[i]);
  }
  return out;
}

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

namespace {

// Characters of Chinese numerals (for the near-duplicate key of source sentences only).
bool is_numeral_character(char32_t c) {
  return std::u32string_view(U"〇零一二两三四五六七八九十百千万亿").find(c) !=
         std::u32string_view::npos;
}

// Drops each closing bracket or quotation mark without its opening one and each opening one left
// unclosed: a jump may leave either behind.
void balance(std::u32string& s) {
  constexpr std::pair<char32_t, char32_t> kPairs[] = {
      {U'（', U'）'}, {U'(', U')'}, {U'《', U'》'}, {U'“', U'”'}, {U'「', U'」'}, {U'〈', U'〉'}};
  std::vector<bool> drop(s.size());
  for (const auto& [open, close] : kPairs) {
    std::vector<std::size_t> opened;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == open) {
        if (!opened.empty())
          drop[i] = true;  // no nesting of the same mark
        else
          opened.push_back(i);
      } else if (s[i] == close) {
        if (opened.empty())
          drop[i] = true;
        else
          opened.pop_back();
      }
    }
    for (std::size_t i : opened) drop[i] = true;
  }
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!drop[i]) s[w++] = s[i];
  s.resize(w);
}

}  // namespace

SentenceModel::SentenceModel(const std::filesystem::path& corpora) {
  std::vector<fs::path> files;
  for (const char* sub : {"reports", "gov-work-reports"}) {
    std::error_code ec;
    if (!fs::is_directory(corpora / sub, ec)) continue;
    for (const auto& entry : fs::directory_iterator(corpora / sub))
      if (entry.is_regular_file() && entry.path().extension() == ".txt")
        files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::unordered_set<std::uint64_t> seen;  // key windows of the sentences kept
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
      if (s.size() < 12 || s.size() > 160 || cjk * 10 < s.size() * 7) continue;
      if (!is_cjk(s[0]) || (s.size() > 1 && s[1] == U'、')) continue;
      // Near-duplicates are left out (the national reports repeat their phrases from year to
      // year): a sentence sharing any kKeyWindow characters (punctuation left out, a run of digits
      // or numerals one character, as leitong masks them) with an earlier one. Else a jump would
      // often land in the same words elsewhere and change nothing.
      std::u32string key;
      for (char32_t x : s) {
        if ((x >= U'0' && x <= U'9') || is_numeral_character(x)) {
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
            seen.count(h) > 0 || std::find(windows.begin(), windows.end(), h) != windows.end();
        windows.push_back(h);
      }
      if (repeated) continue;
      seen.insert(windows.begin(), windows.end());
      starts_.push_back(std::uint32_t(text_.size()));
      text_ += s;
    }
  }
  if (starts_.size() < 200)
    throw_error("{}: too few sentences in reports/*.txt and gov-work-reports/*.txt ({})",
                corpora.string(), starts_.size());
  // Positions grouped by the kContext characters before them, each group in position order:
  // sorted on (context, position), the context's two code points (21 bits each) packed above the
  // position (22 bits: the sources hold under 4 million characters).
  static_assert(kContext == 2, "the sort key packs two code points");
  const std::size_t n = text_.size();
  if (n >= (std::size_t(1) << 22)) throw_error("{}: the corpora are too large", corpora.string());
  auto context = [&](std::size_t p) {
    return (std::uint64_t(text_[p - 2]) << 21 | std::uint64_t(text_[p - 1])) << 22;
  };
  std::vector<std::uint64_t> keys(n - kContext);
  for (std::size_t p = kContext; p < n; ++p) keys[p - kContext] = context(p) | p;
  std::sort(keys.begin(), keys.end());
  constexpr std::uint64_t kPosition = (std::uint64_t(1) << 22) - 1;
  order_.resize(keys.size());
  group_.assign(n, 0);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    order_[i] = std::uint32_t(keys[i] & kPosition);
    if (i == 0 || (keys[i - 1] & ~kPosition) != (keys[i] & ~kPosition))
      begin_.push_back(std::uint32_t(i));
    group_[order_[i]] = std::uint32_t(begin_.size() - 1);
  }
  begin_.push_back(std::uint32_t(order_.size()));
}

// Moves `p` to another source position preceded by the same kContext characters and followed by
// another character (a jump that goes on with the same text changes nothing); false when none is
// found in a few tries.
bool SentenceModel::jump(std::size_t& p, Rng& rng) const {
  if (p < kContext) return false;
  const std::uint32_t g = group_[p];
  const std::size_t first = begin_[g], size = begin_[g + 1] - first;
  if (size < 2) return false;
  for (int tries = 0; tries < 4; ++tries) {
    const std::size_t q = order_[first + rng.below(size)];
    if (text_[q] == text_[p]) continue;
    p = q;
    return true;
  }
  return false;
}

std::u32string SentenceModel::sentence(Rng& rng) const {
  std::u32string s;
  std::size_t p = starts_[rng.below(starts_.size())];
  std::size_t run = 0;
  for (;;) {
    const char32_t c = text_[p];
    if (is_terminator(c)) {
      if (s.size() >= kMinChars) break;
      // Too short to end: the sentence goes on with another source sentence's opening clause.
      if (!s.empty() && s.back() != U'，') s.push_back(U'，');
      p = starts_[rng.below(starts_.size())];
      run = 0;
      continue;
    }
    if ((s.size() >= kLongChars && (c == U'，' || c == U'：')) || s.size() >= kMaxChars) break;
    s.push_back(c);
    ++run;
    if (++p == text_.size()) {  // never reached: the sources end with a terminator
      p = starts_[rng.below(starts_.size())];
      run = 0;
      continue;
    }
    if (!is_cjk(c) || !is_cjk(text_[p]) || run < kMinRun) continue;
    if ((run >= kMaxRun || rng.chance(kJump)) && jump(p, rng)) run = 0;
  }
  balance(s);
  while (!s.empty() && !is_cjk(s.back()) && !(s.back() >= U'0' && s.back() <= U'9') &&
         s.back() != U'）' && s.back() != U'》' && s.back() != U'”')
    s.pop_back();
  s.push_back(U'。');
  return s;
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
