// gumbo's default options, a data symbol of libgumbo: looked up when the library is first opened
// (lazy_gumbo_zip.cpp), as libgumbo is not linked.
#pragma once

#include <gumbo.h>

namespace leitong::detail {
const GumboOptions& gumbo_default_options();
}
