/* fuzz_csv.c: libFuzzer target for lib/csv.c.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I. \
 *       tests/fuzz/fuzz_csv.c lib/csv.c -o /tmp/fuzz_csv
 *   /tmp/fuzz_csv -runs=1000000 tests/fuzz/corpus/csv/
 *
 * The first byte picks small limits so the limit paths are reached often;
 * the rest is the file. Besides the sanitizers, the callback checks the
 * contract: limits hold, line numbers only grow and stay inside the input,
 * and every good record survives a round trip (quote it, parse it again,
 * get the same fields). A broken contract aborts, which libFuzzer reports. */
#include "lib/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    csv_limits_t lim;
    size_t last_line;
    size_t max_line;         /* physical lines in the input */
    const char *const *want; /* round trip: the fields expected */
    size_t want_n;
    int round_trip_seen;
} fz_t;

static int fz_check_same(void *ctx, size_t line_no, const char *const *fields,
                         size_t nfields, unsigned errors)
{
    fz_t *f = ctx;
    if (line_no != 1 || errors != 0 || nfields != f->want_n || f->round_trip_seen)
        abort();
    for (size_t i = 0; i < nfields; i++)
        if (strcmp(fields[i], f->want[i]) != 0) abort();
    f->round_trip_seen = 1;
    return 0;
}

static void fz_round_trip(const fz_t *outer, const char *const *fields, size_t nfields)
{
    /* Quote every field: '"' doubles, the rest (LF included) is kept. */
    size_t cap = 1;
    for (size_t i = 0; i < nfields; i++) cap += 3 + 2 * strlen(fields[i]);
    char *s = malloc(cap), *p = s;
    if (!s) abort();
    for (size_t i = 0; i < nfields; i++) {
        if (i) *p++ = ',';
        *p++ = '"';
        for (const char *q = fields[i]; *q; q++) {
            if (*q == '"') *p++ = '"';
            *p++ = *q;
        }
        *p++ = '"';
    }
    fz_t inner = { .lim = outer->lim, .want = fields, .want_n = nfields };
    /* A record of one empty field quotes to "" which is a record again. */
    int rc = csv_parse(s, (size_t)(p - s), &inner.lim, fz_check_same, &inner);
    if (rc != 1 || !inner.round_trip_seen) abort();
    free(s);
}

static int fz_row(void *ctx, size_t line_no, const char *const *fields,
                  size_t nfields, unsigned errors)
{
    fz_t *f = ctx;
    if (nfields < 1 || nfields > f->lim.max_fields) abort();
    if (line_no <= f->last_line || line_no > f->max_line) abort();
    f->last_line = line_no;
    size_t total = 0;
    for (size_t i = 0; i < nfields; i++) {
        size_t n = strlen(fields[i]);
        if (n > f->lim.max_field_bytes) abort();
        if (errors == 0 && strchr(fields[i], '\r')) abort();  /* breaks reach us as LF */
        total += n;
    }
    if (total > f->lim.max_record_bytes) abort();
    if (errors == 0) fz_round_trip(f, fields, nfields);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t sel = data[0];
    data++; size--;

    fz_t f = { 0 };
    f.lim.max_fields = 1 + (sel & 0x07);              /* 1..8 */
    f.lim.max_field_bytes = 1 + ((sel >> 3) & 0x07) * 9;   /* 1..64 */
    f.lim.max_record_bytes = 16 + ((sel >> 6) & 0x03) * 40; /* 16..136 */
    if (sel == 0xFF) {                                /* the defaults */
        f.lim.max_fields = CSV_DEFAULT_MAX_FIELDS;
        f.lim.max_field_bytes = CSV_DEFAULT_MAX_FIELD_BYTES;
        f.lim.max_record_bytes = CSV_DEFAULT_MAX_RECORD_BYTES;
    }
    if (f.lim.max_field_bytes > f.lim.max_record_bytes)
        f.lim.max_field_bytes = f.lim.max_record_bytes;

    f.max_line = 1;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') f.max_line++;
        else if (data[i] == '\r' && !(i + 1 < size && data[i + 1] == '\n')) f.max_line++;
    }

    /* Copy so reads past size hit ASan's redzone instead of our caller's. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    int rc = csv_parse(buf, size, &f.lim, fz_row, &f);
    if (rc < 0) abort();
    free(buf);
    return 0;
}
