// Agencies by the names people write. The archive files an agency under one name
// (深圳市罗湖区民政局); users write the short form (罗湖区民政局) or a longer one
// (广东省深圳市罗湖区民政局). A check under a name the archive does not hold would compare the
// report with no earlier year of its own agency, and file that agency's last report as a `peer`:
// resolve_agency finds the archive's name when the given one differs from it only by the regions
// in front, and says so.
#pragma once

#include <leitong/archive/archive.h>

#include <string>
#include <string_view>
#include <vector>

namespace leitong {

struct AgencyResolution {
  enum class How {
    kExact,      // the archive holds the name (after canonical_agency)
    kShortName,  // the given name is an archive name without the regions in front
    kLongName,   // the given name is an archive name with more regions in front
    kAmbiguous,  // several archive names fit (see `candidates`): the caller must not choose
    kUnknown,    // no archive name fits; `candidates` lists names one character away, if any
  };
  How how = How::kUnknown;
  std::string name;                     // the name to use: the archive's, or the given one (canonical)
  std::vector<std::string> candidates;  // kAmbiguous: every fit; kUnknown: lookalikes (at most 5)
};

// `known`: the archive's agency names (canonical). A name given without any region in it (民政局)
// is never taken for a longer one: only names that name their place (…区/县/市/省/州/盟/旗/镇/乡…)
// are, and only where the cut falls at the end of a region (深圳市|罗湖区民政局, never 深圳市罗|湖区…).
AgencyResolution resolve_agency(std::string_view given, const std::vector<std::string>& known);
AgencyResolution resolve_agency(std::string_view given, const Archive& archive);

}  // namespace leitong
