// Agency resolution as `add` files a load's agencies: each new agency's name resolved against
// the index of those filed before it (AgencyIndex::resolve finds none of it, so it looks for
// lookalikes), then inserted. The names are the synthetic generator's (重庆市东江区民政局…):
// districts of one length with the same departments share long runs, as real names do.
#include <benchmark/benchmark.h>
#include <leitong/analysis/agencies.h>

#include <string>
#include <vector>

#include "../lib/src/testing/detail/synth_sources.h"

namespace leitong {
namespace {

void BM_AgencyIndexFilingNewAgencies(benchmark::State& state) {
  const auto agencies = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < agencies; ++i) names.push_back(detail::make_agency(i).name);
  for (auto _ : state) {
    AgencyIndex index(std::vector<std::string>{});
    std::size_t lookalikes = 0;
    for (const std::string& name : names) {
      const AgencyResolution r = index.resolve(name);
      lookalikes += r.candidates.size() + r.other_places.size();
      index.insert(name);
    }
    benchmark::DoNotOptimize(lookalikes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * agencies));
}
BENCHMARK(BM_AgencyIndexFilingNewAgencies)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond)->Iterations(1);

// One resolve_agency(given, names) of a name the archive does not hold (the web service's check
// under a name of an inspector's own): every agency's name read for one answer.
void BM_ResolveAgencyOnce(benchmark::State& state) {
  const auto agencies = static_cast<std::size_t>(state.range(0));
  std::vector<std::string> names;
  for (std::size_t i = 0; i < agencies; ++i) names.push_back(detail::make_agency(i).name);
  const std::string given = names[agencies / 2] + "办";  // filed nowhere, one character longer
  for (auto _ : state) benchmark::DoNotOptimize(resolve_agency(given, names));
}
BENCHMARK(BM_ResolveAgencyOnce)->Arg(20000)->Arg(200000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace leitong

BENCHMARK_MAIN();
