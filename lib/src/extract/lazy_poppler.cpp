// poppler-cpp opened on the first PDF read (detail/lazy_library.h). poppler-cpp is a C++ library,
// so the functions extract_pdf.cpp calls are defined here under their mangled names (the
// Itanium C++ ABI of x86-64 Linux), each forwarding its arguments to the library's own symbol:
// member functions take the object as their first argument, and those returning a class by value
// (ustring, std::vector<text_box>, rectf) take the address of the result before it and return it;
// extract_pdf.cpp asserts at compile time the types this relies on. A mangled name extract_pdf.cpp
// needs and this file lacks is a link error of the leitong executable, and the tests read PDFs
// through every one of them.
#include "../detail/lazy_library.h"

LEITONG_LAZY_LIBRARY(poppler_cpp, LEITONG_SONAME_POPPLER_CPP, "reading a PDF")

namespace {

template <typename Function>
Function real(const char* mangled) {
  return reinterpret_cast<Function>(
      leitong::detail::library_symbol(poppler_cpp(), LEITONG_SONAME_POPPLER_CPP, mangled));
}

}  // namespace

#define LEITONG_POPPLER_FORWARD(RETURN, LOCAL_NAME, MANGLED, PARAMS, ARGS)         \
  RETURN LOCAL_NAME PARAMS asm(MANGLED);                                             \
  RETURN LOCAL_NAME PARAMS {                                                         \
    static const auto forward_to = real<RETURN(*) PARAMS>(MANGLED);                  \
    return forward_to ARGS;                                                          \
  }

// poppler::set_debug_error_function(void (*)(const std::string&, void*), void*)
LEITONG_POPPLER_FORWARD(void, poppler_set_debug_error_function,
                        "_ZN7poppler24set_debug_error_functionEPFvRKNSt7__cxx1112basic_stringIcSt11char_"
                        "traitsIcESaIcEEEPvES8_",
                        (void* handler, void* closure), (handler, closure))
// static poppler::document* poppler::document::load_from_raw_data(const char*, int, const std::string&,
// const std::string&)
LEITONG_POPPLER_FORWARD(void*, poppler_document_load_from_raw_data,
                        "_ZN7poppler8document18load_from_raw_dataEPKciRKNSt7__cxx1112basic_stringIcSt11char_"
                        "traitsIcESaIcEEESA_",
                        (const char* data, int size, const void* owner_password, const void* user_password),
                        (data, size, owner_password, user_password))
LEITONG_POPPLER_FORWARD(void, poppler_document_destructor, "_ZN7poppler8documentD1Ev", (void* self), (self))
LEITONG_POPPLER_FORWARD(bool, poppler_document_is_locked, "_ZNK7poppler8document9is_lockedEv", (const void* self),
                        (self))
LEITONG_POPPLER_FORWARD(int, poppler_document_pages, "_ZNK7poppler8document5pagesEv", (const void* self), (self))
LEITONG_POPPLER_FORWARD(void*, poppler_document_create_page, "_ZNK7poppler8document11create_pageEi",
                        (const void* self, int index), (self, index))
// poppler::ustring poppler::document::info_key(const std::string&) const
LEITONG_POPPLER_FORWARD(void*, poppler_document_info_key,
                        "_ZNK7poppler8document8info_keyERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE",
                        (void* result, const void* self, const void* key), (result, self, key))
LEITONG_POPPLER_FORWARD(void, poppler_page_destructor, "_ZN7poppler4pageD1Ev", (void* self), (self))
// std::vector<poppler::text_box> poppler::page::text_list() const
LEITONG_POPPLER_FORWARD(void*, poppler_page_text_list, "_ZNK7poppler4page9text_listEv",
                        (void* result, const void* self), (result, self))
LEITONG_POPPLER_FORWARD(void, poppler_text_box_destructor, "_ZN7poppler8text_boxD1Ev", (void* self), (self))
LEITONG_POPPLER_FORWARD(bool, poppler_text_box_has_space_after, "_ZNK7poppler8text_box15has_space_afterEv",
                        (const void* self), (self))
// poppler::rectf poppler::text_box::bbox() const (32 bytes: returned through memory)
LEITONG_POPPLER_FORWARD(void*, poppler_text_box_bbox, "_ZNK7poppler8text_box4bboxEv",
                        (void* result, const void* self), (result, self))
// poppler::ustring poppler::text_box::text() const
LEITONG_POPPLER_FORWARD(void*, poppler_text_box_text, "_ZNK7poppler8text_box4textEv",
                        (void* result, const void* self), (result, self))
LEITONG_POPPLER_FORWARD(void, poppler_ustring_destructor, "_ZN7poppler7ustringD1Ev", (void* self), (self))
