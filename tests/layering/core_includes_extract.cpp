// Must not compile: core sits below every other layer (lib/CMakeLists.txt).
#include <leitong/extract/extract.h>
