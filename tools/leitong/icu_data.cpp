// ICU's data is one 31 MB shared library (libicudata), of which a check reads a few dozen pages:
// the table of contents and the NFKC tables. When those pages are not in the page cache, each
// page fault in that mapping reads a whole readahead window around it (read_ahead_kb: 8 MB on the
// machines measured), so a cold check read about 16 MB for two faults. MADV_RANDOM turns
// readahead off for the mapping: a fault then reads its own page. Measured in bench/README.md
// ("ICU's data read by page").
#include "icu_data.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace leitong::cli {

namespace {

int advise_random_if_icu_data(dl_phdr_info* info, std::size_t, void*) {
  if (!info->dlpi_name || !std::strstr(info->dlpi_name, "libicudata")) return 0;
  // From the first loaded segment to the end of the last, gaps included (where a library's
  // segments are aligned past the page size, the loader maps the gaps between them too).
  std::uintptr_t begin = UINTPTR_MAX, end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_LOAD) continue;
    begin = std::min<std::uintptr_t>(begin, info->dlpi_addr + segment.p_vaddr);
    end = std::max<std::uintptr_t>(end, info->dlpi_addr + segment.p_vaddr + segment.p_memsz);
  }
  if (begin >= end) return 1;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  begin &= ~(page - 1);
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_RANDOM);  // a hint: may be refused
  return 1;  // found: stop
}

}  // namespace

void read_icu_data_by_page() { dl_iterate_phdr(advise_random_if_icu_data, nullptr); }

}  // namespace leitong::cli
