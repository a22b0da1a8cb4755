// Must not compile: extract and archive each stand on core alone (lib/CMakeLists.txt).
#include <leitong/archive/archive.h>
