// libFuzzer target: decode_text on arbitrary bytes (harness in fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::decode(leitong::fuzz::as_bytes(data, size));
  return 0;
}
