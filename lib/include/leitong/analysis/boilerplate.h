// Boilerplate mining: the passages that the reports of the most distinct agencies share — the
// political formulae and mandated headings every report uses — so an inspector can see what the
// ratios leave out as boilerplate.
//
// Seeds are fingerprints held by reports of at least `min_agencies` agencies (from the postings).
// For each, one holder's text is aligned with holders from other agencies; the stretch around the
// fingerprint that at least `min_agencies` agencies share (the holder's own included) is the
// passage. JSON schema "leitong.boilerplate/1" (docs/json.md).
#pragma once

#include <leitong/archive/archive.h>
#include <leitong/core/align.h>

#include <string>
#include <vector>

namespace leitong {

struct BoilerplateParams {
  int min_agencies = 3;      // B, as in CheckParams::boilerplate_agencies
  std::size_t top = 50;      // passages returned
  int holders = 8;           // holders (distinct agencies) aligned per seed fingerprint
  AlignParams align;
};

struct BoilerplatePassage {
  std::string text;  // UTF-8, as it reads in `example`
  int agencies = 0;  // distinct agencies whose reports hold its most widely shared fingerprint
  int documents = 0;
  int years = 0;
  DocumentInfo example;  // a report that contains it
  std::uint32_t start = 0, end = 0;  // code points into the example's extracted text
};

struct BoilerplateResult {
  int min_agencies = 0;
  std::vector<BoilerplatePassage> passages;  // by agencies, descending
};

BoilerplateResult mine_boilerplate(const Archive& archive, const BoilerplateParams& params = {});

}  // namespace leitong
