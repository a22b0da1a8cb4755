// libFuzzer target: extract_bytes on a file named .docx, or on its XML parts zipped (harness in fuzz/harness.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  leitong::fuzz::extract_docx(leitong::fuzz::as_bytes(data, size));
  return 0;
}
