// Must not compile: render sits above analysis (lib/CMakeLists.txt).
#include <leitong/render/report.h>
