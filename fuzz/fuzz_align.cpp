// libFuzzer target: align() and align_self() on two texts (harness in fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::align_texts(leitong::fuzz::as_bytes(data, size));
  return 0;
}
