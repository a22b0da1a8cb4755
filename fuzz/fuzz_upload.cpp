// libFuzzer target: multipart bodies and zips as the web service reads uploads (fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::upload(leitong::fuzz::as_bytes(data, size));
  return 0;
}
