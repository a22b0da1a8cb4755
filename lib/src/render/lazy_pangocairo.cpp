// cairo, pango and glib opened on the first PDF report (detail/lazy_library.h): the functions
// pdf_report.cpp calls. libpangocairo's dependencies are cairo, pango, gobject and glib, so its
// handle finds all of them.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "../detail/lazy_library.h"

LEITONG_LAZY_LIBRARY(pangocairo, LEITONG_SONAME_PANGOCAIRO, "writing a PDF report")

#define LAZY(RETURN, NAME, PARAMS, ARGS) \
  LEITONG_LAZY_FUNCTION(pangocairo, LEITONG_SONAME_PANGOCAIRO, RETURN, NAME, PARAMS, ARGS)

LAZY(cairo_t*, cairo_create, (cairo_surface_t * target), (target))
LAZY(void, cairo_destroy, (cairo_t * cr), (cr))
LAZY(void, cairo_fill, (cairo_t * cr), (cr))
LAZY(void, cairo_stroke, (cairo_t * cr), (cr))
LAZY(void, cairo_show_page, (cairo_t * cr), (cr))
LAZY(void, cairo_line_to, (cairo_t * cr, double x, double y), (cr, x, y))
LAZY(void, cairo_move_to, (cairo_t * cr, double x, double y), (cr, x, y))
LAZY(void, cairo_rectangle, (cairo_t * cr, double x, double y, double width, double height),
     (cr, x, y, width, height))
LAZY(void, cairo_set_line_width, (cairo_t * cr, double width), (cr, width))
LAZY(void, cairo_set_source_rgb, (cairo_t * cr, double red, double green, double blue), (cr, red, green, blue))
LAZY(cairo_surface_t*, cairo_pdf_surface_create_for_stream,
     (cairo_write_func_t write_func, void* closure, double width_in_points, double height_in_points),
     (write_func, closure, width_in_points, height_in_points))
LAZY(void, cairo_pdf_surface_set_metadata,
     (cairo_surface_t * surface, cairo_pdf_metadata_t metadata, const char* utf8), (surface, metadata, utf8))
LAZY(const char*, cairo_status_to_string, (cairo_status_t status), (status))
LAZY(void, cairo_surface_destroy, (cairo_surface_t * surface), (surface))
LAZY(void, cairo_surface_finish, (cairo_surface_t * surface), (surface))
LAZY(cairo_status_t, cairo_surface_status, (cairo_surface_t * surface), (surface))

LAZY(void, g_free, (gpointer mem), (mem))
LAZY(gchar*, g_markup_escape_text, (const gchar* text, gssize length), (text, length))
LAZY(void, g_object_unref, (gpointer object), (object))

LAZY(PangoAttribute*, pango_attr_background_new, (guint16 red, guint16 green, guint16 blue), (red, green, blue))
LAZY(void, pango_attr_list_insert, (PangoAttrList * list, PangoAttribute* attr), (list, attr))
LAZY(PangoAttrList*, pango_attr_list_new, (void), ())
LAZY(void, pango_attr_list_unref, (PangoAttrList * list), (list))
LAZY(PangoLayout*, pango_cairo_create_layout, (cairo_t * cr), (cr))
LAZY(void, pango_cairo_show_layout, (cairo_t * cr, PangoLayout* layout), (cr, layout))
LAZY(void, pango_cairo_show_layout_line, (cairo_t * cr, PangoLayoutLine* line), (cr, line))
LAZY(void, pango_font_description_free, (PangoFontDescription * desc), (desc))
LAZY(PangoFontDescription*, pango_font_description_from_string, (const char* str), (str))
LAZY(void, pango_font_description_set_size, (PangoFontDescription * desc, gint size), (desc, size))
LAZY(void, pango_font_description_set_weight, (PangoFontDescription * desc, PangoWeight weight), (desc, weight))
LAZY(void, pango_layout_get_extents, (PangoLayout * layout, PangoRectangle* ink_rect, PangoRectangle* logical_rect),
     (layout, ink_rect, logical_rect))
LAZY(PangoLayoutIter*, pango_layout_get_iter, (PangoLayout * layout), (layout))
LAZY(int, pango_layout_get_unknown_glyphs_count, (PangoLayout * layout), (layout))
LAZY(void, pango_layout_iter_free, (PangoLayoutIter * iter), (iter))
LAZY(int, pango_layout_iter_get_baseline, (PangoLayoutIter * iter), (iter))
LAZY(void, pango_layout_iter_get_line_extents,
     (PangoLayoutIter * iter, PangoRectangle* ink_rect, PangoRectangle* logical_rect), (iter, ink_rect, logical_rect))
LAZY(PangoLayoutLine*, pango_layout_iter_get_line_readonly, (PangoLayoutIter * iter), (iter))
LAZY(gboolean, pango_layout_iter_next_line, (PangoLayoutIter * iter), (iter))
LAZY(void, pango_layout_set_alignment, (PangoLayout * layout, PangoAlignment alignment), (layout, alignment))
LAZY(void, pango_layout_set_attributes, (PangoLayout * layout, PangoAttrList* attrs), (layout, attrs))
LAZY(void, pango_layout_set_font_description, (PangoLayout * layout, const PangoFontDescription* desc),
     (layout, desc))
LAZY(void, pango_layout_set_markup, (PangoLayout * layout, const char* markup, int length), (layout, markup, length))
LAZY(void, pango_layout_set_spacing, (PangoLayout * layout, int spacing), (layout, spacing))
LAZY(void, pango_layout_set_text, (PangoLayout * layout, const char* text, int length), (layout, text, length))
LAZY(void, pango_layout_set_width, (PangoLayout * layout, int width), (layout, width))
LAZY(void, pango_layout_set_wrap, (PangoLayout * layout, PangoWrapMode wrap), (layout, wrap))
