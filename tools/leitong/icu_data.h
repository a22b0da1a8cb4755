#pragma once

namespace leitong::cli {

// Asks the kernel to read ICU's data library page by page, not in readahead windows (see
// icu_data.cpp). For a command that checks one report; before the first ICU call.
void read_icu_data_by_page();

}  // namespace leitong::cli
