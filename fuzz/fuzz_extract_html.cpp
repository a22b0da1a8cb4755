// libFuzzer target: extract_bytes on a file named .html (harness in fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::extract(leitong::fuzz::as_bytes(data, size), ".html");
  return 0;
}
