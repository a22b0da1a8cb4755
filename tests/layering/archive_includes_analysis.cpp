// Must not compile: the archive layer sits below analysis (lib/CMakeLists.txt).
#include <leitong/analysis/check.h>
