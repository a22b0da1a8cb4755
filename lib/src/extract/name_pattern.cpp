#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/name_pattern.h>

namespace leitong {

namespace {

bool regex_special(char c) { return std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos; }

}  // namespace

NamePattern::NamePattern(std::string_view pattern) : pattern_(pattern) {
  if (find_invalid_utf8(pattern) != std::string_view::npos) throw_error("--name-pattern: not UTF-8");
  whole_path_ = pattern.find('/') != std::string_view::npos;
  std::string re;
  int groups = 0;
  bool last_was_wild = false;  // the previous token was of any width: {agency}, * or **
  for (std::size_t i = 0; i < pattern.size();) {
    const std::string_view rest = pattern.substr(i);
    const bool agency = rest.starts_with("{agency}"), year = rest.starts_with("{year}");
    if (agency || year) {
      if (agency && last_was_wild)
        throw_error("--name-pattern {}: {{agency}} right after * (put a character between them)", pattern_);
      int& group = agency ? agency_group_ : year_group_;
      if (group) throw_error("--name-pattern {}: {} appears twice", pattern_, agency ? "{agency}" : "{year}");
      group = ++groups;
      re += agency ? "([^/]+?)" : "([0-9]{4})";
      i += agency ? 8 : 6;
      last_was_wild = agency;  // a year is four digits: it ends where it must
      continue;
    }
    if (rest.starts_with("**")) {
      if (last_was_wild) throw_error("--name-pattern {}: ** right after {{agency}} or *", pattern_);
      re += ".*";
      i += 2;
      last_was_wild = true;
      continue;
    }
    if (rest.front() == '*') {
      if (last_was_wild) throw_error("--name-pattern {}: * right after {{agency}} or *", pattern_);
      re += "[^/]*";
      ++i;
      last_was_wild = true;
      continue;
    }
    if (rest.front() == '{' && rest.find('}') != std::string_view::npos)
      throw_error("--name-pattern {}: unknown placeholder {} (use {{agency}} and {{year}})", pattern_,
                  rest.substr(0, rest.find('}') + 1));
    if (regex_special(rest.front())) re += '\\';
    re += rest.front();
    ++i;
    last_was_wild = false;
  }
  if (!agency_group_ && !year_group_) throw_error("--name-pattern {}: names neither {{agency}} nor {{year}}", pattern_);
  regex_ = std::regex(re, std::regex::ECMAScript | std::regex::optimize);
}

std::optional<NameMatch> NamePattern::match(std::string_view relative_path) const {
  std::string path(relative_path);
  for (char& c : path)
    if (c == '\\') c = '/';
  if (!whole_path_) {
    const std::size_t slash = path.rfind('/');
    if (slash != std::string::npos) path.erase(0, slash + 1);
  }
  std::smatch m;
  if (!std::regex_match(path, m, regex_)) return std::nullopt;
  NameMatch out;
  if (agency_group_) {
    out.agency = m[agency_group_].str();
    const std::size_t first = out.agency.find_first_not_of(" \t"), last = out.agency.find_last_not_of(" \t");
    if (first == std::string::npos) return std::nullopt;
    out.agency = out.agency.substr(first, last - first + 1);
    if (find_invalid_utf8(out.agency) != std::string::npos) return std::nullopt;
  }
  if (year_group_) {
    out.year = std::stoi(m[year_group_].str());
    if (out.year < 1900 || out.year > 2200) return std::nullopt;
  }
  return out;
}

}  // namespace leitong
