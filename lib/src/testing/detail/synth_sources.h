// The raw material of synthetic archives (internal to synth.cpp): a deterministic random
// generator, fabricated agency names, the pool of real sentences drawn from the corpora, and the
// edits made to copied text (years bumped, numbers changed).
#pragma once

#include <leitong/core/text.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace leitong::detail {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
  bool chance(double p) { return double(next() >> 11) * 0x1.0p-53 < p; }

 private:
  std::uint64_t state_;
};

inline std::u32string u32(std::string_view s) { return decode_utf8(s, "synth"); }

inline bool is_terminator(char32_t c) {
  return c == U'。' || c == U'！' || c == U'？' || c == U'；';
}

struct Agency {
  std::string name;           // 重庆市东江区民政局
  std::u32string short_name;  // 东江区民政局
  std::u32string district;    // 东江区 (3 code points)
};

// The agency of a synthetic archive's index-th agency; distinct for every index below
// agency_capacity().
Agency make_agency(std::size_t index);
std::size_t agency_capacity();

// The subheadings a synthetic report's first section draws from.
std::span<const char* const> subheadings();

// The sentence pool: every distinct sentence of the corpora, shuffled for the seed; drawn without
// replacement, reshuffled when exhausted.
class Pool {
 public:
  static constexpr std::size_t kKeyWindow = 8;

  // Reads every sentence of corpora/{reports,gov-work-reports,laws}; throws Error when they hold
  // fewer than 200.
  Pool(const std::filesystem::path& corpora, Rng& rng);
  std::size_t size() const { return sentences_.size(); }
  const std::u32string& draw() {
    if (next_ == order_.size()) shuffle(), ++reuses_;
    return sentences_[order_[next_++]];
  }
  // Times every sentence has been used: from then on independent reports share sentences that no
  // truth records, and measured precision falls.
  std::size_t reuses() const { return reuses_; }

 private:
  void shuffle() {
    for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng_.below(i)]);
    next_ = 0;
  }
  Rng& rng_;
  std::unordered_set<std::uint64_t> windows_;
  std::vector<std::u32string> sentences_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
  std::size_t reuses_ = 0;
};

// Every 4-digit year 1950–2049 set to `year`.
std::u32string set_years(std::u32string s, int year);

// Years moved by `delta`, other digit runs changed with probability `p`.
std::u32string bump(const std::u32string& s, int delta, double p, Rng& rng);

std::u32string replace_all(std::u32string s, const std::u32string& from, const std::u32string& to);

// A paragraph cut after each sentence terminator (。！？；), the rest kept as a last piece.
std::vector<std::u32string> split_sentences(const std::u32string& p);

}  // namespace leitong::detail
