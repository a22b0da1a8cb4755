// Agency and year from where a file lies, for folders whose files name neither inside:
// `--name-pattern "{agency}_{year}*"` reads 深圳市罗湖区民政局_2024年报告.pdf, `"{year}/{agency}.*"`
// reads 2024/深圳市罗湖区民政局.docx.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>

namespace leitong {

struct NameMatch {
  std::string agency;  // "" when the pattern has no {agency}
  int year = 0;        // 0 when the pattern has no {year}
};

// A pattern is matched against a whole path relative to the folder given (a file given on its own:
// its name), '/'-separated; a pattern without '/' against the file name alone. {agency} stands
// for one or more characters other than '/', {year} for four digits (1900–2200), * for any
// characters other than '/', ** for any characters; every other character stands for itself.
class NamePattern {
 public:
  // Throws Error for a pattern that names neither {agency} nor {year}, names one twice, or puts
  // {agency} next to a * (where one ends would be a guess; {year} is four digits and may touch
  // anything).
  explicit NamePattern(std::string_view pattern);

  // What the path says, or nullopt when it does not match (or its year is out of range, or its
  // agency is blank).
  std::optional<NameMatch> match(std::string_view relative_path) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  bool whole_path_ = false;
  int agency_group_ = 0, year_group_ = 0;  // 0: absent
  std::regex regex_;
};

}  // namespace leitong
