// Shared libraries opened on first use. The libraries only some work needs (PDF and spreadsheet
// output, web pages and zip files, the web service's cryptography) are not linked: a process that
// links them all maps and relocates 74 libraries before main(), which was most of the time a
// `leitong check` of a text file took (bench/README.md "Libraries opened on first use"). A shim
// file per library defines each function leitong calls, with the library's own name and
// signature (so a wrong signature does not compile), forwarding to the symbol looked up the first
// time it is called.
#pragma once

#include <leitong/core/error.h>

#include <dlfcn.h>

namespace leitong::detail {

// The library SONAME, opened once (dlopen keeps a count; the handle is never closed). Throws
// Error naming the library and what it is needed for when it cannot be loaded.
inline void* open_library(const char* soname, const char* needed_for) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw_error("{} needs the shared library {}, which could not be loaded: {}", needed_for, soname,
                why ? why : "unknown error");
  }
  return handle;
}

inline void* library_symbol(void* library, const char* soname, const char* name) {
  void* symbol = dlsym(library, name);
  if (!symbol) throw_error("the shared library {} has no symbol {} (another version?)", soname, name);
  return symbol;
}

}  // namespace leitong::detail

// Defines FUNCTION(), the handle of the library SONAME, opened on its first call; NEEDED_FOR says
// what for in the error when it cannot be.
#define LEITONG_LAZY_LIBRARY(FUNCTION, SONAME, NEEDED_FOR)                                  \
  namespace {                                                                                \
  void* FUNCTION() {                                                                         \
    static void* const handle = ::leitong::detail::open_library(SONAME, NEEDED_FOR);        \
    return handle;                                                                           \
  }                                                                                          \
  }

// Defines the C function NAME (declared by the library's header) as a call of the library's own
// NAME, looked up on the first call. LIBRARY is a function returning the opened library's handle,
// SONAME its name for messages, PARAMS the declared parameters and ARGS their names.
#define LEITONG_LAZY_FUNCTION(LIBRARY, SONAME, RETURN, NAME, PARAMS, ARGS)                  \
  extern "C" RETURN NAME PARAMS {                                                            \
    static const auto real = reinterpret_cast<decltype(&::NAME)>(                            \
        ::leitong::detail::library_symbol(LIBRARY(), SONAME, #NAME));                        \
    return real ARGS;                                                                        \
  }
