/* book.c: the sheet writer of reports.h.
 *
 * .xlsx goes through libxlsxwriter in constant-memory mode: each row is
 * flushed to a temporary file as soon as the next one starts, so 200,000
 * rows cost the same memory as 200. In that mode strings are written
 * inline (no shared-string table) and text is always a string cell, so
 * nothing an outsider typed can become a formula. Times are real Excel
 * date-times (Shanghai local time, a date format), numbers are numbers.
 *
 * .csv is what Excel opens without an import dialog: a UTF-8 BOM, CRLF
 * line ends, fields quoted as needed and text starting with = + - @ TAB
 * or CR neutralised (rules/export_cell.h). */
#include "engines/reports/reports.h"
#include "rules/export_cell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#define MAX_COLS 64

struct rep_book {
    int xlsx;
    int failed;
    /* xlsx */
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *when, *pct, *num;
    /* csv */
    FILE *f;
    int nsheets;
    /* the current sheet */
    rep_type_t types[MAX_COLS];
    int ncols, col;
    lxw_row_t row;
};

rep_book_t *rep_book_open(const char *path, int xlsx)
{
    rep_book_t *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->xlsx = xlsx;
    if (xlsx) {
        lxw_workbook_options opt = { .constant_memory = LXW_TRUE, .tmpdir = NULL };
        b->wb = workbook_new_opt(path, &opt);
        if (!b->wb) {
            free(b);
            return NULL;
        }
        b->bold = workbook_add_format(b->wb);
        format_set_bold(b->bold);
        format_set_bg_color(b->bold, 0xDDEBF7);
        b->when = workbook_add_format(b->wb);
        format_set_num_format(b->when, "yyyy-mm-dd hh:mm:ss");
        b->pct = workbook_add_format(b->wb);
        format_set_num_format(b->pct, "0.0%");
        b->num = workbook_add_format(b->wb);
        format_set_num_format(b->num, "0.00");
        return b;
    }
    b->f = fopen(path, "wb");
    if (!b->f) {
        free(b);
        return NULL;
    }
    setvbuf(b->f, NULL, _IOFBF, 1 << 16);
    fputs("\xEF\xBB\xBF", b->f);
    return b;
}

static void csv_raw(rep_book_t *b, const char *s)
{
    if (b->col++)
        fputc(',', b->f);
    fputs(s, b->f);
}

static void csv_text(rep_book_t *b, const char *s)
{
    size_t n = 2 * strlen(s ? s : "") + 4;
    char small[512];
    char *buf = n <= sizeof small ? small : malloc(n);
    if (!buf) {
        b->failed = 1;
        return;
    }
    if (rules_csv_field(s, buf, n) < 0)
        b->failed = 1;
    else
        csv_raw(b, buf);
    if (buf != small)
        free(buf);
}

int rep_sheet(rep_book_t *b, const char *name, const rep_col_t *cols, int ncols)
{
    if (ncols > MAX_COLS)
        return -1;
    b->ncols = ncols;
    b->col = 0;
    b->row = 0;
    for (int i = 0; i < ncols; i++)
        b->types[i] = cols[i].type;
    if (!b->xlsx) {
        if (b->nsheets++) {
            fputs("\r\n", b->f);
            csv_text(b, name);
            fputs("\r\n", b->f);
            b->col = 0;
        }
        for (int i = 0; i < ncols; i++)
            csv_text(b, cols[i].title);
        fputs("\r\n", b->f);
        b->col = 0;
        return ferror(b->f) ? -1 : 0;
    }
    b->ws = workbook_add_worksheet(b->wb, name);
    if (!b->ws)
        return -1;
    for (int i = 0; i < ncols; i++) {
        /* Excel's width unit is one Latin digit; a Chinese character takes
         * two. Columns are sized before any row (constant memory writes
         * rows once), from the title and the caller's estimate. */
        double w = (double)rules_display_width(cols[i].title);
        if (cols[i].width > w)
            w = cols[i].width;
        if (cols[i].type == REP_TIME && w < 19)
            w = 19;
        lxw_format *f = cols[i].type == REP_TIME ? b->when : cols[i].type == REP_PCT ? b->pct
                      : cols[i].type == REP_NUM ? b->num : NULL;
        worksheet_set_column(b->ws, (lxw_col_t)i, (lxw_col_t)i, w + 2, f);
    }
    for (int i = 0; i < ncols; i++)
        worksheet_write_string(b->ws, 0, (lxw_col_t)i, cols[i].title, b->bold);
    worksheet_freeze_panes(b->ws, 1, 0);
    b->row = 1;
    return 0;
}

void rep_text(rep_book_t *b, const char *s)
{
    if (!b->xlsx) {
        csv_text(b, s);
        return;
    }
    if (s && *s && worksheet_write_string(b->ws, b->row, (lxw_col_t)b->col, s, NULL) != LXW_NO_ERROR)
        b->failed = 1;
    b->col++;
}

void rep_int(rep_book_t *b, long long v)
{
    if (!b->xlsx) {
        char t[32];
        snprintf(t, sizeof t, "%lld", v);
        csv_raw(b, t);
        return;
    }
    worksheet_write_number(b->ws, b->row, (lxw_col_t)b->col++, (double)v, NULL);
}

void rep_num(rep_book_t *b, double v)
{
    int c = b->col;
    if (!b->xlsx) {
        char t[48];
        snprintf(t, sizeof t, c < b->ncols && b->types[c] == REP_PCT ? "%.4f" : "%.2f", v);
        csv_raw(b, t);
        return;
    }
    lxw_format *f = c < b->ncols && b->types[c] == REP_PCT ? b->pct : b->num;
    worksheet_write_number(b->ws, b->row, (lxw_col_t)b->col++, v, f);
}

void rep_time(rep_book_t *b, long long epoch_s)
{
    if (!epoch_s) {
        rep_blank(b);
        return;
    }
    /* Shanghai local time: UTC+8 all year (rules/score.h). */
    time_t t = (time_t)(epoch_s + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (!b->xlsx) {
        char s[32];
        strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
        csv_raw(b, s);
        return;
    }
    lxw_datetime dt = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec };
    worksheet_write_datetime(b->ws, b->row, (lxw_col_t)b->col++, &dt, b->when);
}

void rep_blank(rep_book_t *b)
{
    if (!b->xlsx)
        csv_raw(b, "");
    else
        b->col++;
}

int rep_row_end(rep_book_t *b)
{
    if (!b->xlsx) {
        fputs("\r\n", b->f);
        b->col = 0;
        return ferror(b->f) || b->failed ? -1 : 0;
    }
    b->row++;
    b->col = 0;
    return b->failed ? -1 : 0;
}

int rep_book_close(rep_book_t *b)
{
    if (!b)
        return -1;
    int rc = b->failed ? -1 : 0;
    if (b->xlsx) {
        if (workbook_close(b->wb) != LXW_NO_ERROR)
            rc = -1;
    } else if (fclose(b->f) != 0) {
        rc = -1;
    }
    free(b);
    return rc;
}
