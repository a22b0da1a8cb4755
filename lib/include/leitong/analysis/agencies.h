// Agencies by the names people write. The archive files an agency under one name
// (深圳市罗湖区民政局); users write the short form (罗湖区民政局) or a longer one
// (广东省深圳市罗湖区民政局). A check under a name the archive does not hold would compare the
// report with no earlier year of its own agency, and file that agency's last report as a `peer`:
// resolve_agency finds the archive's name when the given one differs from it only by the regions
// in front, and says so.
#pragma once

#include <leitong/archive/archive.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

namespace leitong {

struct AgencyResolution {
  enum class How {
    kExact,      // the archive holds the name (after canonical_agency)
    kAlias,      // the name is an alias of an agency in the register (Archive::agency_aliases)
    kShortName,  // the given name is an archive name without the regions in front
    kLongName,   // the given name is an archive name with more regions in front
    kAmbiguous,  // several archive names fit (see `candidates`): the caller must not choose
    kUnknown,    // no archive name fits; `candidates` lists names one character away outside the
                 // place's name (深圳市罗湖区民政居 for 深圳市罗湖区民政局: a typo?), `other_places` those
                 // one character away inside it (重庆市渝北区民政局 for 重庆市渝中区民政局: most often another agency)
  };
  How how = How::kUnknown;
  std::string name;                     // the name to use: the archive's, or the given one (canonical)
  std::vector<std::string> candidates;  // kAmbiguous: every fit; kUnknown: lookalikes (at most 5)
  std::vector<std::string> other_places;  // kUnknown: names one character away in their place (at most 5)
};

// `known`: the archive's agency names (canonical). A name given without any region in it (民政局)
// is never taken for a longer one: only names that name their place (…区/县/市/省/州/盟/旗/镇/乡…)
// are, and only where the cut falls at the end of a region (深圳市|罗湖区民政局, never 深圳市罗|湖区…).
AgencyResolution resolve_agency(std::string_view given, const std::vector<std::string>& known);
AgencyResolution resolve_agency(std::string_view given, const Archive& archive);  // with its aliases

// The same resolution for many names (a folder of thousands of files): the archive's names and
// aliases indexed once, each name then resolved by look-ups (its regions cut off in front, the
// names it is the end of, the names one character off it, each found under a key of itself less
// that character) instead of a pass over every known name. insert() adds an agency created since,
// so that names later in the same run resolve against it too.
class AgencyIndex {
 public:
  // kIndexed: names one character off are found by look-ups (for many resolutions); kScanned: by a
  // pass over the names of the given one's length (one resolution: cheaper than indexing them).
  enum class Lookalikes { kIndexed, kScanned };
  explicit AgencyIndex(const std::vector<std::string>& names,
                       const std::vector<std::pair<std::string, std::string>>& aliases = {},
                       Lookalikes lookalikes = Lookalikes::kIndexed);
  explicit AgencyIndex(const Archive& archive, Lookalikes lookalikes = Lookalikes::kIndexed);
  AgencyResolution resolve(std::string_view given) const;
  void insert(const std::string& name);

 private:
  void add_name(const std::string& name, const std::string& entry);
  std::unordered_map<std::string, std::string> exact_;  // name or alias → the entry's name
  std::unordered_map<std::string, std::vector<std::string>> by_place_suffix_;  // a name less its leading regions → entries
  bool indexed_ = true;
  // Names one character off a given one. Each name is filed once per position, under a hash of
  // its length, the position and itself less the character there: a name one character off
  // another shares exactly the key of the position where they differ. An open-addressing table
  // of (key's upper half, name) slots; several names may share a key, and a key's hash
  // colliding only adds a name that the look-up's comparison then leaves out.
  struct DeletionSlot {
    std::uint32_t key_high = 0;
    std::uint32_t name = kNoName;  // index into lookalike_names_ and lookalike_decoded_
  };
  static constexpr std::uint32_t kNoName = 0xFFFFFFFF;
  // Keys cost the square of a name's length: longer names (no agency's, but a manifest may give
  // anything) are listed apart by length and compared with a given name as long.
  static constexpr std::size_t kMaxKeyedChars = 64;
  void file_deletions(std::uint32_t name);
  std::vector<DeletionSlot> by_deletion_;
  std::size_t deletion_entries_ = 0;
  std::unordered_map<std::size_t, std::vector<std::uint32_t>> long_names_;  // by code points
  std::vector<std::string> lookalike_names_;
  std::vector<std::u32string> lookalike_decoded_;
};

// resolve_agency for an archive kept open (the web service, a Python session): the register is
// read at the first name it does not hold, and kept current after that by three look-ups per such
// name (Archive::register_state): entries made since are inserted, and an alias, rename or merge
// since has it read again. resolve_agency reads the whole register for each short form an
// inspector types (0.5 s at 200,000 agencies); this, 35 µs (bench/bench_agencies). Lookalikes are
// still found by a pass over the names of the given one's length (kScanned: 77 ms for a typo at
// 200,000; indexing them too was measured: some 90 MB more, and seconds to build). Safe to share
// between threads.
class AgencyResolver {
 public:
  AgencyResolution resolve(std::string_view given, const Archive& archive);

 private:
  std::shared_mutex mutex_;
  std::unique_ptr<AgencyIndex> index_;
  RegisterState indexed_state_;
};

}  // namespace leitong
