// Agency resolution as `add` files a load's agencies: each new agency's name resolved against
// the index of those filed before it (AgencyIndex::resolve finds none of it, so it looks for
// lookalikes), then inserted. The names are the synthetic generator's (重庆市东江区民政局…):
// districts of one length with the same departments share long runs, as real names do.
#include <benchmark/benchmark.h>
#include <leitong/analysis/agencies.h>
#include <leitong/archive/archive.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
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

// An archive whose register holds `agencies` synthetic names (written into its agencies table
// directly: resolution reads only the register), made once per size and removed at exit.
const Archive& archive_of_agencies(std::size_t agencies) {
  struct Made {
    std::filesystem::path dir;
    std::unique_ptr<Archive> archive;
    ~Made() {
      archive.reset();
      std::filesystem::remove_all(dir);
    }
  };
  static std::map<std::size_t, Made> made;
  Made& m = made[agencies];
  if (m.archive) return *m.archive;
  m.dir = std::filesystem::temp_directory_path() / ("leitong-bench-agencies-" + std::to_string(getpid()) + "-" + std::to_string(agencies));
  std::filesystem::create_directories(m.dir);
  Archive::open(m.dir / "a.db", Archive::Mode::kReadWrite);
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_open((m.dir / "a.db").c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO agencies(name) VALUES (?)", -1, &insert, nullptr) != SQLITE_OK)
    throw std::runtime_error(sqlite3_errmsg(db));
  for (std::size_t i = 0; i < agencies; ++i) {
    const std::string name = canonical_agency(detail::make_agency(i).name);
    sqlite3_bind_text(insert, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_step(insert);
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
  sqlite3_close(db);
  m.archive = std::make_unique<Archive>(Archive::open(m.dir / "a.db", Archive::Mode::kReadOnly));
  return *m.archive;
}

// A name the register does not hold, resolved against an archive: resolve_agency reads and
// indexes the whole register for it each time (range(1) = 0), a kept AgencyResolver only looks
// the register's state up (range(1) = 1; its first resolution, which reads the register, is made
// before the clock starts). range(2) = 0: a short form an inspector types (a filed name less its
// city), found among the names it is the end of; 1: a typo (民政居), for which the names one
// character off are looked for.
void BM_ResolveUnfiledNameInArchive(benchmark::State& state) {
  const auto agencies = static_cast<std::size_t>(state.range(0));
  const Archive& archive = archive_of_agencies(agencies);
  const std::string filed = canonical_agency(detail::make_agency(agencies / 2).name);
  const std::string given = state.range(2) == 0
                                ? filed.substr(filed.find("市") + std::string("市").size())
                                : filed.substr(0, filed.size() - std::string("局").size()) + "居";
  AgencyResolver resolver;
  const bool kept = state.range(1) == 1;
  const AgencyResolution first = kept ? resolver.resolve(given, archive) : resolve_agency(given, archive);
  // Synthetic places repeat (云峰县 in several cities): a short form may fit several entries.
  const bool as_meant = state.range(2) == 0 ? first.how == AgencyResolution::How::kShortName ||
                                                  first.how == AgencyResolution::How::kAmbiguous
                                            : first.how == AgencyResolution::How::kUnknown && !first.candidates.empty();
  if (!as_meant) {
    state.SkipWithError(("not resolved as meant: " + given).c_str());
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(kept ? resolver.resolve(given, archive) : resolve_agency(given, archive));
}
BENCHMARK(BM_ResolveUnfiledNameInArchive)
    ->ArgsProduct({{20000, 200000}, {0, 1}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace leitong

BENCHMARK_MAIN();
