// libFuzzer target: normalize() and its offset map, switches from the first byte (harness in fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::normalize_text(leitong::fuzz::as_bytes(data, size));
  return 0;
}
