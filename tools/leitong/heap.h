#pragma once

namespace leitong::cli {

// Tunes the C library's heap for a command that checks one report and ends (see heap.cpp). Before
// any thread starts.
void prepare_heap();

}  // namespace leitong::cli
