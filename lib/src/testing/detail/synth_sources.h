// The raw material of synthetic archives (internal to synth.cpp): a deterministic random
// generator, fabricated agency names, a model that writes new sentences in the language of the
// corpora, and the edits made to copied text (years bumped, numbers changed).
#pragma once

#include <leitong/core/text.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
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

// The local names of the index-th agency's reports: places in its district (街道, 镇, 社区, 村),
// its own units and its projects, each two characters of a list of place-name characters and a
// suffix. Real reports are full of such names and no corpus holds them; without them, independent
// synthetic reports share the model's most frequent phrases more and more as an archive grows
// (bench/README.md, "Local names"). Deterministic; 150,528 names, so the agencies of a small archive
// have names of their own and those of a million share each name with a few dozen others.
std::vector<std::u32string> local_names(std::size_t index);

// `sentence` with a name of `names` opening some of its clauses (after a comma, or the sentence
// itself when it has none): each clause with probability `share`.
std::u32string with_local_names(const std::u32string& sentence, std::span<const std::u32string> names,
                                double share, Rng& rng);

// The subheadings a synthetic report's first section draws from.
std::span<const char* const> subheadings();

// New sentences in the corpora's language: a character model of their sentences. A sentence is
// written by copying the source text from a random sentence start and, every 2 to 5 characters,
// jumping to another place in the sources that follows the same 2 characters and goes on
// differently, chosen uniformly among them (an order-2 Markov chain over characters whose runs of
// copied text keep longer words whole). Every 3-character string of the output occurs in the
// sources and most longer ones do not, so independent reports share little beyond the formulae
// of the report skeleton, and nothing is used up: one model serves a thousand reports or a million
// alike. Shorter runs and longer contexts were measured (bench/README.md, "Synthetic archives
// against real text"): longer runs or 3- and 4-character contexts read better but make
// independent reports share more passages as the archive grows.
class SentenceModel {
 public:
  static constexpr std::size_t kContext = 2;    // characters a jump keeps
  static constexpr std::size_t kMinRun = 2;     // characters copied after a jump before the next
  static constexpr std::size_t kMaxRun = 5;     // a jump is due after this many (when one exists)
  static constexpr double kJump = 0.6;          // chance of a jump after each character between
  static constexpr std::size_t kKeyWindow = 8;  // near-duplicate sources share this many
  static constexpr std::size_t kMinChars = 16;  // a sentence ends at its first terminator past this
  static constexpr std::size_t kLongChars = 90;  // ... or at the first comma past this
  static constexpr std::size_t kMaxChars = 130;  // ... or here

  // Reads every sentence of corpora/{reports,gov-work-reports}/*.txt (laws/ is not read: the
  // model needs no more text), leaving out near-duplicates: a sentence that shares kKeyWindow
  // characters (punctuation left out, a run of digits or numerals one character) with an earlier
  // one. Throws Error when fewer than 200 are left.
  explicit SentenceModel(const std::filesystem::path& corpora);
  std::size_t sentences() const { return starts_.size(); }  // source sentences kept
  std::size_t characters() const { return text_.size(); }
  // A new sentence of kMinChars … kMaxChars + 1 code points, ending with 。, its brackets and
  // quotation marks balanced. Deterministic for the state of `rng`.
  std::u32string sentence(Rng& rng) const;

 private:
  bool jump(std::size_t& p, Rng& rng) const;
  std::u32string text_;                // the source sentences, concatenated
  std::vector<std::uint32_t> starts_;  // where each begins
  // Source positions p ≥ kContext grouped by the kContext characters before them: group_[p] is
  // p's group, whose members are order_[begin_[g] … begin_[g + 1]), in position order.
  std::vector<std::uint32_t> group_, begin_, order_;
};

// Every 4-digit year 1950–2049 set to `year`.
std::u32string set_years(std::u32string s, int year);

// Years moved by `delta`, other digit runs changed with probability `p`.
std::u32string bump(const std::u32string& s, int delta, double p, Rng& rng);

std::u32string replace_all(std::u32string s, const std::u32string& from, const std::u32string& to);

// A paragraph cut after each sentence terminator (。！？；), the rest kept as a last piece.
std::vector<std::u32string> split_sentences(const std::u32string& p);

}  // namespace leitong::detail
