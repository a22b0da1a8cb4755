// The scratch counters of fingerprint look-ups (lib/src/archive/detail/hit_scratch.h): stamps stand
// in for clearing, so what matters is that no stale stamp ever looks current — across calls, as the
// table grows and shrinks, and when the 32-bit stamps wrap (a service counting about a thousand
// fingerprints a check wraps the fingerprint stamp after some four million checks).
#include "../lib/src/archive/detail/hit_scratch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace leitong::testing {
namespace {

using detail::HitScratch;

constexpr std::uint32_t kMax = std::numeric_limits<std::uint32_t>::max();

// What fingerprint_hits does for one posting of document `doc` under fingerprint stamp `fp`: the
// document counted once per fingerprint.
void count(HitScratch& s, std::uint32_t doc, std::uint32_t call, std::uint32_t fp) {
  bool fresh = false;
  HitScratch::Document& counted = s.documents.find_or_add(doc, call, fresh);
  if (counted.fingerprint != fp) {
    counted.fingerprint = fp;
    ++counted.count;
  }
}

TEST(HitScratch, CountsEachDocumentOncePerFingerprintAndForgetsEarlierCalls) {
  HitScratch s;
  s.prepare(10);
  const std::uint32_t first = s.next_call();
  const std::uint32_t a = s.next_fingerprint();
  count(s, 5, first, a);
  count(s, 5, first, a);  // the same fingerprint again: still once
  count(s, 9, first, a);
  const std::uint32_t b = s.next_fingerprint();
  count(s, 5, first, b);
  EXPECT_EQ(s.documents.count(5, first), 2u);
  EXPECT_EQ(s.documents.count(9, first), 1u);
  EXPECT_EQ(s.documents.count(7, first), 0u);

  const std::uint32_t second = s.next_call();
  EXPECT_EQ(s.documents.count(5, second), 0u);
  bool fresh = false;
  EXPECT_EQ(s.documents.find_or_add(9, second, fresh).count, 0u);
  EXPECT_TRUE(fresh);
}

TEST(HitScratch, CountsSurviveTheTableGrowingAndShrinking) {
  HitScratch s;
  const std::uint32_t big = s.next_call();
  const std::uint32_t fp1 = s.next_fingerprint(), fp2 = s.next_fingerprint();
  constexpr std::uint32_t kDocs = 200000;  // grows the table well past 2^16 slots
  for (std::uint32_t doc = 1; doc <= kDocs; ++doc) {
    count(s, doc * 7, big, fp1);
    if (doc % 3 == 0) count(s, doc * 7, big, fp2);
  }
  for (std::uint32_t doc = 1; doc <= kDocs; ++doc)
    ASSERT_EQ(s.documents.count(doc * 7, big), doc % 3 == 0 ? 2u : 1u) << doc;
  // A small call after it, in the large table: what it counts is right and nothing of the large
  // call shows. The call after that gives the large table back (the small one used little of it).
  const std::uint32_t small = s.next_call();
  const std::uint32_t fp3 = s.next_fingerprint();
  count(s, 21, small, fp3);
  EXPECT_EQ(s.documents.count(21, small), 1u);  // the large call counted it twice
  EXPECT_EQ(s.documents.count(14, small), 0u);  // the large call counted it once
  const std::uint32_t after = s.next_call();
  EXPECT_EQ(s.documents.count(21, after), 0u);
  EXPECT_EQ(s.documents.count(14, after), 0u);
  const std::uint32_t fp4 = s.next_fingerprint();
  count(s, 14, after, fp4);
  EXPECT_EQ(s.documents.count(14, after), 1u);
}

TEST(HitScratch, CallStampsWrapWithoutReviving) {
  HitScratch s;
  const std::uint32_t first = s.next_call();
  ASSERT_EQ(first, 1u);
  count(s, 42, first, s.next_fingerprint());
  ASSERT_EQ(s.documents.count(42, first), 1u);
  // About four billion calls later, none of them counting document 42:
  s.call = kMax - 1;
  EXPECT_EQ(s.next_call(), kMax);
  const std::uint32_t wrapped = s.next_call();
  ASSERT_EQ(wrapped, 1u);  // the first call's stamp again: its slot must not look current
  EXPECT_EQ(s.documents.count(42, wrapped), 0u);
  bool fresh = false;
  EXPECT_EQ(s.documents.find_or_add(42, wrapped, fresh).count, 0u);
  EXPECT_TRUE(fresh);
}

TEST(HitScratch, FingerprintStampsWrapWithoutLosingACount) {
  HitScratch s;
  s.prepare(4);
  const std::uint32_t call = s.next_call();
  const std::uint32_t fp = s.next_fingerprint();
  ASSERT_EQ(fp, 1u);
  count(s, 3, call, fp);
  s.agency_fingerprint[2] = fp;  // agency 2 counted for this fingerprint
  // Within the same call, the stamps wrap back to the first one's value.
  s.fingerprint = kMax - 1;
  EXPECT_EQ(s.next_fingerprint(), kMax);
  const std::uint32_t again = s.next_fingerprint();
  ASSERT_EQ(again, fp);
  count(s, 3, call, again);  // a new fingerprint: document 3 counted a second time
  EXPECT_EQ(s.documents.count(3, call), 2u);
  EXPECT_NE(s.agency_fingerprint[2], again);  // and agency 2 not taken as counted already
}

}  // namespace
}  // namespace leitong::testing
