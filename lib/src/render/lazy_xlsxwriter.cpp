// libxlsxwriter opened on the first spreadsheet (detail/lazy_library.h): the functions
// xlsx_report.cpp calls.
#include <xlsxwriter.h>

#include "../detail/lazy_library.h"

LEITONG_LAZY_LIBRARY(xlsxwriter, LEITONG_SONAME_XLSXWRITER, "writing a spreadsheet (xlsx)")

#define LAZY(RETURN, NAME, PARAMS, ARGS) \
  LEITONG_LAZY_FUNCTION(xlsxwriter, LEITONG_SONAME_XLSXWRITER, RETURN, NAME, PARAMS, ARGS)

LAZY(void, format_set_bg_color, (lxw_format * format, lxw_color_t color), (format, color))
LAZY(void, format_set_bold, (lxw_format * format), (format))
LAZY(void, format_set_font_color, (lxw_format * format, lxw_color_t color), (format, color))
LAZY(void, format_set_num_format, (lxw_format * format, const char* num_format), (format, num_format))
LAZY(void, format_set_text_wrap, (lxw_format * format), (format))
LAZY(void, format_set_underline, (lxw_format * format, uint8_t style), (format, style))
LAZY(char*, lxw_strerror, (lxw_error error_num), (error_num))
LAZY(lxw_format*, workbook_add_format, (lxw_workbook * workbook), (workbook))
LAZY(lxw_worksheet*, workbook_add_worksheet, (lxw_workbook * workbook, const char* sheetname), (workbook, sheetname))
LAZY(lxw_error, workbook_close, (lxw_workbook * workbook), (workbook))
LAZY(lxw_workbook*, workbook_new_opt, (const char* filename, lxw_workbook_options* options), (filename, options))
LAZY(lxw_error, worksheet_autofilter,
     (lxw_worksheet * worksheet, lxw_row_t first_row, lxw_col_t first_col, lxw_row_t last_row, lxw_col_t last_col),
     (worksheet, first_row, first_col, last_row, last_col))
LAZY(void, worksheet_freeze_panes, (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col), (worksheet, row, col))
LAZY(lxw_error, worksheet_set_column,
     (lxw_worksheet * worksheet, lxw_col_t first_col, lxw_col_t last_col, double width, lxw_format* format),
     (worksheet, first_col, last_col, width, format))
LAZY(lxw_error, worksheet_write_number,
     (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col, double number, lxw_format* format),
     (worksheet, row, col, number, format))
LAZY(lxw_error, worksheet_write_string,
     (lxw_worksheet * worksheet, lxw_row_t row, lxw_col_t col, const char* string, lxw_format* format),
     (worksheet, row, col, string, format))
LAZY(lxw_error, worksheet_write_url_opt,
     (lxw_worksheet * worksheet, lxw_row_t row_num, lxw_col_t col_num, const char* url, lxw_format* format,
      const char* string, const char* tooltip),
     (worksheet, row_num, col_num, url, format, string, tooltip))
