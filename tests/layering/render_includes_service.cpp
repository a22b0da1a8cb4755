// Must not compile: the service sits above render (lib/CMakeLists.txt).
#include <leitong/service/service.h>
