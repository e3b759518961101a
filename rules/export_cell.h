/* export_cell.h: how one cell of a spreadsheet export is written so that a
 * spreadsheet program never runs it as a formula (OWASP "CSV injection"),
 * and how a CSV field is quoted the way Excel reads it back.
 *
 * A cell whose text starts with '=', '+', '-', '@', a tab or a carriage
 * return is a formula (or becomes one) in Excel, LibreOffice and Sheets;
 * it is neutralised by a leading apostrophe, which Excel shows as text
 * and does not display. Numbers are written by the caller as numbers and
 * are never passed through here, so "-5" as a score stays a number. */
#ifndef RULES_EXPORT_CELL_H
#define RULES_EXPORT_CELL_H

#include <stddef.h>

/* 1 when text (NUL-terminated) would be read as a formula; NULL -> 0. */
int rules_cell_is_formula(const char *text);

/* Write text as one CSV field into out: an apostrophe in front when it is
 * a formula, then quoted (with '"' doubled) when it holds ',', '"', CR or
 * LF. NULL is written as the empty field.
 * Returns the bytes written (without NUL), or -1 when outsz is too small
 * (out is then ""). The worst case needs 2 * strlen(text) + 4 bytes. */
long rules_csv_field(const char *text, char *out, size_t outsz);

/* Display width of UTF-8 text as a spreadsheet column needs it: 2 for a
 * CJK or full-width code point, 1 otherwise. Invalid bytes count 1. */
size_t rules_display_width(const char *text);

#endif
