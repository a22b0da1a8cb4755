// gumbo and libzip opened on the first web page or zip file (docx, uploads)
// (detail/lazy_library.h): the functions extract_html.cpp, extract_docx.cpp and zip.cpp call.
#include <gumbo.h>
#include <zip.h>

#include "../detail/lazy_library.h"
#include "detail/gumbo_options.h"

LEITONG_LAZY_LIBRARY(gumbo, LEITONG_SONAME_GUMBO, "reading a web page (HTML)")
LEITONG_LAZY_LIBRARY(libzip, LEITONG_SONAME_LIBZIP, "reading a zip file (docx, zip)")

namespace leitong::detail {
const GumboOptions& gumbo_default_options() {
  static const auto* options = static_cast<const GumboOptions*>(
      library_symbol(gumbo(), LEITONG_SONAME_GUMBO, "kGumboDefaultOptions"));
  return *options;
}
}  // namespace leitong::detail

#define LAZY_GUMBO(RETURN, NAME, PARAMS, ARGS) \
  LEITONG_LAZY_FUNCTION(gumbo, LEITONG_SONAME_GUMBO, RETURN, NAME, PARAMS, ARGS)
#define LAZY_ZIP(RETURN, NAME, PARAMS, ARGS) \
  LEITONG_LAZY_FUNCTION(libzip, LEITONG_SONAME_LIBZIP, RETURN, NAME, PARAMS, ARGS)

LAZY_GUMBO(void, gumbo_destroy_output, (const GumboOptions* options, GumboOutput* output), (options, output))
LAZY_GUMBO(GumboAttribute*, gumbo_get_attribute, (const GumboVector* attrs, const char* name), (attrs, name))
LAZY_GUMBO(GumboOutput*, gumbo_parse_with_options,
           (const GumboOptions* options, const char* buffer, size_t buffer_length), (options, buffer, buffer_length))

LAZY_ZIP(void, zip_discard, (zip_t * archive), (archive))
LAZY_ZIP(void, zip_error_fini, (zip_error_t * error), (error))
LAZY_ZIP(void, zip_error_init, (zip_error_t * error), (error))
LAZY_ZIP(const char*, zip_error_strerror, (zip_error_t * error), (error))
LAZY_ZIP(int, zip_fclose, (zip_file_t * file), (file))
LAZY_ZIP(const char*, zip_file_strerror, (zip_file_t * file), (file))
LAZY_ZIP(zip_file_t*, zip_fopen_index, (zip_t * archive, zip_uint64_t index, zip_flags_t flags), (archive, index, flags))
LAZY_ZIP(zip_int64_t, zip_fread, (zip_file_t * file, void* buffer, zip_uint64_t length), (file, buffer, length))
LAZY_ZIP(const char*, zip_get_name, (zip_t * archive, zip_uint64_t index, zip_flags_t flags), (archive, index, flags))
LAZY_ZIP(zip_int64_t, zip_get_num_entries, (zip_t * archive, zip_flags_t flags), (archive, flags))
LAZY_ZIP(zip_int64_t, zip_name_locate, (zip_t * archive, const char* name, zip_flags_t flags), (archive, name, flags))
LAZY_ZIP(zip_t*, zip_open_from_source, (zip_source_t * source, int flags, zip_error_t* error), (source, flags, error))
LAZY_ZIP(zip_source_t*, zip_source_buffer_create, (const void* data, zip_uint64_t length, int free, zip_error_t* error),
         (data, length, free, error))
LAZY_ZIP(void, zip_source_free, (zip_source_t * source), (source))
LAZY_ZIP(int, zip_stat_index, (zip_t * archive, zip_uint64_t index, zip_flags_t flags, zip_stat_t* stat),
         (archive, index, flags, stat))
LAZY_ZIP(void, zip_stat_init, (zip_stat_t * stat), (stat))
LAZY_ZIP(const char*, zip_strerror, (zip_t * archive), (archive))
