#include "variants.h"

#include <leitong/core/text.h>

#include <algorithm>

namespace leitong::testing {

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void MarkedText::append(std::u32string_view s, bool from_source) {
  text.append(s);
  copied.insert(copied.end(), s.size(), from_source ? 1 : 0);
}

MarkedText& MarkedText::operator+=(const MarkedText& other) {
  text += other.text;
  copied.insert(copied.end(), other.copied.begin(), other.copied.end());
  return *this;
}

std::u32string random_ideographs(std::size_t length, std::uint64_t seed) {
  Random rng(seed);
  std::u32string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(char32_t(0x6C00 + rng.below(300)));
  return out;
}

std::u32string u32(std::string_view s) { return decode_utf8(s, "test"); }
std::string utf8(std::u32string_view t) { return encode_utf8(t); }

std::vector<std::u32string> paragraphs(std::u32string_view text) {
  std::vector<std::u32string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(U'\n', start);
    if (end == std::u32string_view::npos) end = text.size();
    std::u32string line(text.substr(start, end - start));
    while (!line.empty() && (line.back() == U'\r' || is_whitespace(line.back()))) line.pop_back();
    if (count_non_whitespace(line) > 0) out.push_back(std::move(line));
    start = end + 1;
  }
  return out;
}

std::vector<std::u32string> sentences(std::u32string_view paragraph) {
  std::vector<std::u32string> out;
  std::u32string current;
  for (char32_t c : paragraph) {
    current.push_back(c);
    if (c == U'。' || c == U'！' || c == U'？' || c == U'；') {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

MarkedText bump_years_and_numbers(const MarkedText& in, int delta, double change_numbers, Random& rng) {
  MarkedText out;
  const auto& t = in.text;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] < U'0' || t[i] > U'9') {
      out.text.push_back(t[i]);
      out.copied.push_back(in.copied[i]);
      ++i;
      continue;
    }
    std::size_t j = i;
    int value = 0;
    while (j < t.size() && t[j] >= U'0' && t[j] <= U'9') value = value * 10 + int(t[j++] - U'0');
    std::u32string replacement(t.substr(i, j - i));
    if (j - i == 4 && value >= 1990 && value <= 2039) {
      replacement = u32(std::to_string(value + delta));
    } else if (rng.chance(change_numbers)) {
      replacement = u32(std::to_string(1 + rng.below(j - i >= 3 ? 999 : 99)));
    }
    // A changed number stays "copied": the surrounding text is the copy; only its value moved.
    for (char32_t c : replacement) {
      out.text.push_back(c);
      out.copied.push_back(in.copied[i]);
    }
    i = j;
  }
  return out;
}

MarkedText replace_all(const MarkedText& in, std::u32string_view from, std::u32string_view to) {
  MarkedText out;
  for (std::size_t i = 0; i < in.text.size();) {
    if (!from.empty() && in.text.compare(i, from.size(), from) == 0) {
      out.append(to, false);
      i += from.size();
    } else {
      out.text.push_back(in.text[i]);
      out.copied.push_back(in.copied[i]);
      ++i;
    }
  }
  return out;
}

MarkedText recycle(std::u32string_view source, std::u32string_view filler, double replace_share, Random& rng) {
  auto paras = paragraphs(source);
  auto fill = paragraphs(filler);
  std::erase_if(fill, [](const std::u32string& p) { return count_non_whitespace(p) < 60; });
  const std::size_t replace = std::max<std::size_t>(1, std::size_t(replace_share * double(paras.size()) + 0.5));
  // Replace substantial body paragraphs (not the first, which is often a heading line).
  std::vector<std::size_t> candidates;
  for (std::size_t i = 1; i < paras.size(); ++i)
    if (count_non_whitespace(paras[i]) >= 60) candidates.push_back(i);
  std::vector<std::uint8_t> replaced(paras.size(), 0);
  for (std::size_t k = 0; k < replace && !candidates.empty(); ++k) {
    const std::size_t pick = rng.below(candidates.size());
    replaced[candidates[pick]] = 1;
    candidates.erase(candidates.begin() + std::ptrdiff_t(pick));
  }
  MarkedText out;
  for (std::size_t i = 0; i < paras.size(); ++i) {
    if (replaced[i] && !fill.empty()) out.append(fill[rng.below(fill.size())], false);
    else out.append(paras[i], true);
    out.append(U"\n", false);
  }
  return bump_years_and_numbers(out, 1, 0.7, rng);
}

MarkedText lift_paragraphs(std::u32string_view own, std::u32string_view peer, std::size_t count,
                           std::u32string_view peer_name, std::u32string_view own_name, Random& rng) {
  auto mine = paragraphs(own);
  auto theirs = paragraphs(peer);
  std::vector<std::size_t> body;
  for (std::size_t i = 1; i + count <= theirs.size(); ++i) {
    bool ok = true;
    for (std::size_t k = 0; k < count; ++k) ok = ok && count_non_whitespace(theirs[i + k]) >= 40;
    if (ok) body.push_back(i);
  }
  const std::size_t first = body.empty() ? 0 : body[rng.below(body.size())];
  MarkedText lifted;
  for (std::size_t k = 0; k < count && first + k < theirs.size(); ++k) {
    lifted.append(theirs[first + k], true);
    lifted.append(U"\n", false);
  }
  lifted = replace_all(lifted, peer_name, own_name);
  MarkedText out;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    out.append(mine[i], false);
    out.append(U"\n", false);
    if (i == 1) out += lifted;
  }
  return out;
}

MarkedText reorder_and_insert(std::u32string_view source, int every, Random& rng) {
  static const std::u32string kWords[] = {U"进一步", U"切实", U"积极", U"不断", U"全面", U"认真"};
  MarkedText out;
  int since = 0;
  for (const auto& para : paragraphs(source)) {
    auto sents = sentences(para);
    for (std::size_t i = sents.size(); i > 1; --i) std::swap(sents[i - 1], sents[rng.below(i)]);
    for (const auto& s : sents) {
      for (char32_t c : s) {
        out.append(std::u32string_view(&c, 1), true);
        if (++since >= every && c >= 0x4E00 && c <= 0x9FFF) {
          out.append(kWords[rng.below(6)], false);
          since = 0;
        }
      }
    }
    out.append(U"\n", false);
  }
  return out;
}

Score score(const MarkedText& truth, const std::vector<std::uint8_t>& detected) {
  Score s;
  std::size_t both = 0;
  for (std::size_t i = 0; i < truth.text.size(); ++i) {
    if (is_whitespace(truth.text[i])) continue;
    const bool t = truth.copied[i], d = i < detected.size() && detected[i];
    s.truth_chars += t;
    s.detected_chars += d;
    both += t && d;
  }
  s.precision = s.detected_chars ? double(both) / double(s.detected_chars) : 1.0;
  s.recall = s.truth_chars ? double(both) / double(s.truth_chars) : 1.0;
  return s;
}

}  // namespace leitong::testing
