/* test_csv.c: the CSV parser against the files Excel writes, and against the
 * malformed ones people make by hand. */
#include "tests/unit/check.h"
#include "lib/csv.h"

#include <stdlib.h>

#define MAXREC 16
#define MAXF 40

typedef struct {
    int n;
    size_t line[MAXREC];
    size_t nf[MAXREC];
    unsigned err[MAXREC];
    char *f[MAXREC][MAXF];
    int stop_after;          /* 0: never stop */
} rows_t;

static int collect(void *ctx, size_t line_no, const char *const *fields,
                   size_t nfields, unsigned errors)
{
    rows_t *r = ctx;
    if (r->n < MAXREC) {
        r->line[r->n] = line_no;
        r->nf[r->n] = nfields;
        r->err[r->n] = errors;
        for (size_t i = 0; i < nfields && i < MAXF; i++) r->f[r->n][i] = strdup(fields[i]);
    }
    r->n++;
    return r->stop_after && r->n >= r->stop_after;
}

static void rows_free(rows_t *r)
{
    for (int i = 0; i < MAXREC; i++)
        for (int j = 0; j < MAXF; j++) { free(r->f[i][j]); r->f[i][j] = NULL; }
}

static int parse(const char *s, const csv_limits_t *lim, rows_t *r)
{
    memset(r, 0, sizeof *r);
    return csv_parse(s, strlen(s), lim, collect, r);
}

TEST(simple_lf_no_bom)
{
    rows_t r;
    CHECK_INT(parse("a,b,c\n1,2,3\n", NULL, &r), 2);
    CHECK_INT(r.n, 2);
    CHECK_INT(r.nf[0], 3);
    CHECK_STR(r.f[0][0], "a");
    CHECK_STR(r.f[0][2], "c");
    CHECK_STR(r.f[1][1], "2");
    CHECK_INT(r.line[0], 1);
    CHECK_INT(r.line[1], 2);
    CHECK_INT(r.err[0], 0);
    CHECK_INT(r.err[1], 0);
    rows_free(&r);
}

TEST(bom_and_crlf)
{
    rows_t r;
    CHECK_INT(parse("\xEF\xBB\xBFtype,题干\r\nsingle,安全第一\r\n", NULL, &r), 2);
    CHECK_STR(r.f[0][0], "type");          /* the BOM is not part of the first field */
    CHECK_STR(r.f[0][1], "题干");
    CHECK_STR(r.f[1][1], "安全第一");
    CHECK_INT(r.line[1], 2);
    CHECK_INT(r.err[1], 0);
    rows_free(&r);

    /* A BOM only counts at offset 0; elsewhere it is data. */
    CHECK_INT(parse("a\n\xEF\xBB\xBF" "b\n", NULL, &r), 2);
    CHECK_STR(r.f[1][0], "\xEF\xBB\xBF" "b");
    rows_free(&r);

    /* A file that is only a BOM has no records. */
    CHECK_INT(parse("\xEF\xBB\xBF", NULL, &r), 0);
    CHECK_INT(parse("", NULL, &r), 0);
}

TEST(lone_cr_and_mixed_breaks)
{
    rows_t r;
    CHECK_INT(parse("a\rb\r\nc\nd", NULL, &r), 4);
    CHECK_STR(r.f[0][0], "a");
    CHECK_STR(r.f[1][0], "b");
    CHECK_STR(r.f[2][0], "c");
    CHECK_STR(r.f[3][0], "d");
    CHECK_INT(r.line[3], 4);
    rows_free(&r);
}

TEST(no_trailing_newline)
{
    rows_t r;
    CHECK_INT(parse("x,y\r\n1,2", NULL, &r), 2);
    CHECK_STR(r.f[1][1], "2");
    CHECK_INT(r.err[1], 0);
    rows_free(&r);
    /* Same with a quoted last field. */
    CHECK_INT(parse("x,y\r\n1,\"2\"", NULL, &r), 2);
    CHECK_STR(r.f[1][1], "2");
    CHECK_INT(r.err[1], 0);
    rows_free(&r);
}

TEST(quoted_commas_and_quotes)
{
    rows_t r;
    CHECK_INT(parse("\"a,b\",\"say \"\"hi\"\"\",\"\"\n", NULL, &r), 1);
    CHECK_INT(r.nf[0], 3);
    CHECK_STR(r.f[0][0], "a,b");
    CHECK_STR(r.f[0][1], "say \"hi\"");
    CHECK_STR(r.f[0][2], "");
    CHECK_INT(r.err[0], 0);
    rows_free(&r);

    /* Only "" at the start is the empty quoted field; """" is one quote. */
    CHECK_INT(parse("\"\"\"\"\n", NULL, &r), 1);
    CHECK_STR(r.f[0][0], "\"");
    rows_free(&r);
}

TEST(quoted_newlines_keep_line_numbers)
{
    rows_t r;
    /* header on line 1; record 2 spans lines 2-4 (CRLF and lone CR inside);
     * the next record starts on line 5. */
    const char *s = "h1,h2\r\n"
                    "1,\"first\r\nsecond\rthird\"\r\n"
                    "2,plain\r\n";
    CHECK_INT(parse(s, NULL, &r), 3);
    CHECK_INT(r.line[0], 1);
    CHECK_INT(r.line[1], 2);
    CHECK_STR(r.f[1][1], "first\nsecond\nthird");   /* breaks reach the caller as LF */
    CHECK_INT(r.line[2], 5);
    CHECK_STR(r.f[2][1], "plain");
    rows_free(&r);

    /* An LF-only file with a cell of three lines, then an empty line. */
    CHECK_INT(parse("\"a\nb\nc\",x\n\nlast\n", NULL, &r), 2);
    CHECK_INT(r.line[1], 5);
    CHECK_STR(r.f[1][0], "last");
    rows_free(&r);
}

TEST(empty_fields_and_lines)
{
    rows_t r;
    CHECK_INT(parse("\r\n\r\n,,\r\n\n,x,\n\n\n", NULL, &r), 2);
    CHECK_INT(r.line[0], 3);
    CHECK_INT(r.nf[0], 3);
    CHECK_STR(r.f[0][0], "");
    CHECK_STR(r.f[0][2], "");
    CHECK_INT(csv_fields_blank((const char *const *)r.f[0], r.nf[0]), 1);
    CHECK_INT(r.line[1], 5);
    CHECK_INT(r.nf[1], 3);
    CHECK_STR(r.f[1][1], "x");
    CHECK_INT(csv_fields_blank((const char *const *)r.f[1], r.nf[1]), 0);
    rows_free(&r);

    /* A trailing comma at the end of input is one more empty field. */
    CHECK_INT(parse("a,", NULL, &r), 1);
    CHECK_INT(r.nf[0], 2);
    CHECK_STR(r.f[0][1], "");
    rows_free(&r);
}

TEST(stray_quotes_are_literal)
{
    rows_t r;
    CHECK_INT(parse("ab\"c,\"ab\"c, \"x\"\n", NULL, &r), 1);
    CHECK_INT(r.err[0], 0);
    CHECK_STR(r.f[0][0], "ab\"c");
    CHECK_STR(r.f[0][1], "abc");
    CHECK_STR(r.f[0][2], " \"x\"");
    rows_free(&r);
}

TEST(too_many_fields)
{
    rows_t r;
    csv_limits_t lim = { .max_fields = 3 };
    CHECK_INT(parse("a,b,c\n1,2,3,4,5\nx,y,z\n", &lim, &r), 3);
    CHECK_INT(r.err[0], 0);
    CHECK(r.err[1] & CSV_ERR_TOO_MANY_FIELDS);
    CHECK_INT(r.nf[1], 3);
    CHECK_STR(r.f[1][2], "3");
    CHECK_INT(r.err[2], 0);                  /* the next line is fine again */
    CHECK_STR(r.f[2][0], "x");
    CHECK_INT(r.line[2], 3);
    CHECK(strlen(csv_strerror(r.err[1])) > 0);
    rows_free(&r);

    /* The default limit is 32 fields. */
    char line[200] = "";
    for (int i = 0; i < 33; i++) strcat(line, i ? ",f" : "f");
    CHECK_INT(parse(line, NULL, &r), 1);
    CHECK(r.err[0] & CSV_ERR_TOO_MANY_FIELDS);
    CHECK_INT(r.nf[0], 32);
    rows_free(&r);
}

TEST(field_and_record_too_long)
{
    rows_t r;
    csv_limits_t lim = { .max_fields = 8, .max_field_bytes = 4, .max_record_bytes = 10 };
    CHECK_INT(parse("abcd,\"ef\"\"g\"\nabcde,x\nabcd,abcd,abcd\nok\n", &lim, &r), 4);
    CHECK_INT(r.err[0], 0);                  /* exactly at the limit */
    CHECK_STR(r.f[0][1], "ef\"g");
    CHECK(r.err[1] & CSV_ERR_FIELD_TOO_LONG);
    CHECK_STR(r.f[1][0], "abcd");            /* cut at the limit */
    CHECK_STR(r.f[1][1], "x");
    CHECK(r.err[2] & CSV_ERR_RECORD_TOO_LONG);
    CHECK_INT(r.err[3], 0);
    CHECK_INT(r.line[3], 4);
    rows_free(&r);

    /* A long quoted cell with line breaks: the error stays with its record,
     * and the line count still advances past it. */
    CHECK_INT(parse("\"a\nbbbbbbb\nc\"\nnext\n", &lim, &r), 2);
    CHECK(r.err[0] & CSV_ERR_FIELD_TOO_LONG);
    CHECK_INT(r.line[1], 4);
    CHECK_INT(r.err[1], 0);
    rows_free(&r);
}

TEST(unterminated_quote)
{
    rows_t r;
    CHECK_INT(parse("a,b\n1,\"open\n2,3\n", NULL, &r), 2);
    CHECK_INT(r.err[0], 0);
    CHECK(r.err[1] & CSV_ERR_UNTERMINATED);
    CHECK_INT(r.line[1], 2);
    CHECK_STR(r.f[1][1], "open\n2,3\n");    /* it swallowed the rest */
    CHECK(strstr(csv_strerror(r.err[1]), "unterminated") != NULL);
    rows_free(&r);

    CHECK_INT(parse("\"", NULL, &r), 1);
    CHECK(r.err[0] & CSV_ERR_UNTERMINATED);
    CHECK_STR(r.f[0][0], "");
    rows_free(&r);
}

TEST(bad_bytes)
{
    rows_t r;
    /* GBK for 安全 is B0 B2 C8 AB: not UTF-8. */
    CHECK_INT(parse("ok,\xB0\xB2\xC8\xAB\nfine\n", NULL, &r), 2);
    CHECK(r.err[0] & CSV_ERR_BAD_UTF8);
    CHECK_INT(r.err[1], 0);
    rows_free(&r);

    /* Overlong '/' and a UTF-16 surrogate are refused too. */
    CHECK_INT(parse("\xC0\xAF\n\xED\xA0\x80\n\xF4\x90\x80\x80\n\xF0\x9F\x9A\x92\n", NULL, &r), 4);
    CHECK(r.err[0] & CSV_ERR_BAD_UTF8);
    CHECK(r.err[1] & CSV_ERR_BAD_UTF8);
    CHECK(r.err[2] & CSV_ERR_BAD_UTF8);
    CHECK_INT(r.err[3], 0);                  /* a real 4-byte character */
    rows_free(&r);

    /* A NUL is dropped and flagged; the string stays whole. */
    const char s[] = "a\0b,c\n";
    memset(&r, 0, sizeof r);
    CHECK_INT(csv_parse(s, sizeof s - 1, NULL, collect, &r), 1);
    CHECK(r.err[0] & CSV_ERR_NUL_BYTE);
    CHECK_STR(r.f[0][0], "ab");
    CHECK_STR(r.f[0][1], "c");
    rows_free(&r);
}

TEST(callback_stops_and_bad_args)
{
    rows_t r;
    memset(&r, 0, sizeof r);
    r.stop_after = 2;
    const char *s = "1\n2\n3\n4\n";
    CHECK_INT(csv_parse(s, strlen(s), NULL, collect, &r), CSV_ESTOPPED);
    CHECK_INT(r.n, 2);
    rows_free(&r);

    CHECK_INT(csv_parse(NULL, 0, NULL, collect, &r), 0);
    CHECK_INT(csv_parse(NULL, 3, NULL, collect, &r), CSV_EINVAL);
    CHECK_INT(csv_parse("a", 1, NULL, NULL, NULL), CSV_EINVAL);
    csv_limits_t huge = { .max_fields = 1u << 20 };
    CHECK_INT(csv_parse("a", 1, &huge, collect, &r), CSV_EINVAL);
    rows_free(&r);

    /* The buffer is not read past len: no NUL terminator needed. */
    char buf[3] = { 'x', ',', 'y' };
    memset(&r, 0, sizeof r);
    CHECK_INT(csv_parse(buf, sizeof buf, NULL, collect, &r), 1);
    CHECK_STR(r.f[0][1], "y");
    rows_free(&r);
}

int main(void)
{
    RUN(simple_lf_no_bom);
    RUN(bom_and_crlf);
    RUN(lone_cr_and_mixed_breaks);
    RUN(no_trailing_newline);
    RUN(quoted_commas_and_quotes);
    RUN(quoted_newlines_keep_line_numbers);
    RUN(empty_fields_and_lines);
    RUN(stray_quotes_are_literal);
    RUN(too_many_fields);
    RUN(field_and_record_too_long);
    RUN(unterminated_quote);
    RUN(bad_bytes);
    RUN(callback_stops_and_bad_args);
    return check_summary();
}
