/* csv.h: a strict, bounded parser for CSV files as Excel saves them.
 *
 * Input is outside bytes (an organizer's upload), so every size is capped and
 * nothing in the input can make the parser read or write out of bounds, loop,
 * or allocate more than the limits allow (one record buffer and one pointer
 * array, sized from the limits, for the whole parse).
 *
 * Dialect (what Excel writes with "CSV UTF-8" and reads back):
 *   - an optional UTF-8 byte order mark EF BB BF at offset 0 is skipped;
 *   - fields are separated by ',' and records end at CRLF, LF or a lone CR;
 *   - a field that starts with '"' is quoted: inside it, '""' is one '"', and
 *     ',' CR LF are data. Line breaks inside quotes reach the caller as "\n"
 *     whatever their form in the file (CRLF and lone CR become LF);
 *   - a '"' anywhere else is data, as Excel treats it: `ab"c` is the text
 *     ab"c, and text after a closing quote is appended literally
 *     (`"ab"c` is abc, ` "x"` keeps its space and quotes). This is not an
 *     error because Excel shows such a file the same way, so what the
 *     organizer sees in Excel is what gets imported;
 *   - a physical line with nothing on it is skipped (a line holding only
 *     commas is a record of empty fields: see csv_fields_blank()).
 *
 * Errors are per record, as a bit set passed to the callback, so the caller
 * can reject that line by number and go on with the next one. The only error
 * that cannot be recovered from is a quote left open at the end of the input:
 * the open field swallows the rest of the file, so that record is the last. */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>

/* Error bits for one record (0: the record is good). */
#define CSV_ERR_TOO_MANY_FIELDS   0x01u  /* more than max_fields: the extra ones are dropped */
#define CSV_ERR_FIELD_TOO_LONG    0x02u  /* a field over max_field_bytes: it is cut there */
#define CSV_ERR_RECORD_TOO_LONG   0x04u  /* field bytes over max_record_bytes: the rest dropped */
#define CSV_ERR_UNTERMINATED      0x08u  /* a quoted field still open at the end of input */
#define CSV_ERR_NUL_BYTE          0x10u  /* a NUL byte in a field: it is dropped */
#define CSV_ERR_BAD_UTF8          0x20u  /* a field is not valid UTF-8 (a GBK "CSV" file, say) */

/* Return codes of csv_parse other than a record count. */
#define CSV_EINVAL   (-1)   /* bad arguments or limits */
#define CSV_ENOMEM   (-2)   /* the record buffer could not be allocated */
#define CSV_ESTOPPED (-3)   /* the callback returned non-zero */

/* Defaults used for a NULL limits pointer or a zero member. */
#define CSV_DEFAULT_MAX_FIELDS        32
#define CSV_DEFAULT_MAX_FIELD_BYTES   (8 * 1024)
#define CSV_DEFAULT_MAX_RECORD_BYTES  (64 * 1024)

/* Hard ceilings: limits above these are refused with CSV_EINVAL, so a
 * caller's mistake cannot turn into a huge allocation. */
#define CSV_CEIL_MAX_FIELDS        4096
#define CSV_CEIL_MAX_RECORD_BYTES  (16 * 1024 * 1024)

typedef struct {
    size_t max_fields;        /* fields per record */
    size_t max_field_bytes;   /* bytes of one field after unquoting, without its NUL */
    size_t max_record_bytes;  /* bytes of all fields of a record after unquoting */
} csv_limits_t;

/* Called once per record, in order.
 *   line_no  physical line (1-based, the header is line 1) where the record
 *            starts; line breaks inside quoted fields count, so the next
 *            record's number is right after a multi-line cell.
 *   fields   nfields NUL-terminated strings (nfields >= 1), valid only during
 *            the call. When errors is non-zero they are what could be kept
 *            (cut, dropped as the bits say) and should not be trusted.
 *   errors   CSV_ERR_* bits, 0 for a good record.
 * Return 0 to go on, non-zero to stop the parse (csv_parse returns
 * CSV_ESTOPPED). */
typedef int (*csv_row_fn)(void *ctx, size_t line_no, const char *const *fields,
                          size_t nfields, unsigned errors);

/* Parse data[0..len) (it need not be NUL-terminated; data may be NULL when
 * len is 0) and call cb for every record. lim NULL, or a zero member, takes
 * the defaults above.
 * Returns the number of records passed to cb (>= 0, records with errors
 * included), CSV_ESTOPPED if cb asked to stop, CSV_EINVAL for cb NULL, data
 * NULL with len > 0, len > INT_MAX or a limit over its ceiling, CSV_ENOMEM
 * when the buffers cannot be had. */
int csv_parse(const char *data, size_t len, const csv_limits_t *lim,
              csv_row_fn cb, void *ctx);

/* A short English and Chinese description of the most serious bit in errors,
 * for an import report ("" for 0). Never NULL; a static string. */
const char *csv_strerror(unsigned errors);

/* 1 when every field is empty or only ASCII spaces and tabs (the row Excel
 * writes as ",,,,," for a formatted but empty line), else 0. */
int csv_fields_blank(const char *const *fields, size_t nfields);

#endif
