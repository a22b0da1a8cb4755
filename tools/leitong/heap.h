#pragma once

namespace leitong::cli {

// Whether threads allocate from the main heap (prepared here) or each from an arena of its own
// (the C library's default: no contention, but each arena's pages are touched 4 KB at a time).
enum class HeapThreads { kOwn, kShare };

// Tunes the C library's heap for a command that runs and ends (see heap.cpp). Before any thread
// starts.
void prepare_heap(HeapThreads threads);

}  // namespace leitong::cli
