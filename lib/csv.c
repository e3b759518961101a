/* csv.c: see csv.h for the dialect and the contract.
 *
 * One pass over the buffer with an index that only moves forward, so the
 * work is linear in len whatever the input. Field bytes are copied into one
 * record buffer of max_record_bytes + max_fields bytes (contents plus one NUL
 * per field); every store checks both the field and the record budget. */
#include "lib/csv.h"

#include <limits.h>
#include <stdlib.h>

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past
 * U+10FFFF. Kept here rather than shared so this file stands alone. */
static int csv_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF;   /* range of the first continuation byte */
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c == 0xE0) { need = 2; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) need = 2;
        else if (c == 0xED) { need = 2; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) need = 2;
        else if (c == 0xF0) { need = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) need = 3;
        else if (c == 0xF4) { need = 3; hi = 0x8F; }
        else return 0;
        if (n - i - 1 < need) return 0;
        if (s[i + 1] < lo || s[i + 1] > hi) return 0;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xC0) != 0x80) return 0;
        i += need + 1;
    }
    return 1;
}

typedef struct {
    char *buf;           /* record buffer */
    size_t used;         /* bytes of buf in use, NULs included */
    size_t content;      /* field bytes of this record, NULs excluded */
    size_t flen;         /* bytes of the current field */
    int storing;         /* 0 once the field is past max_fields */
    unsigned errors;
    const csv_limits_t *lim;
} csv_rec_t;

static void csv_put(csv_rec_t *r, unsigned char c)
{
    if (!r->storing) return;
    if (c == 0) { r->errors |= CSV_ERR_NUL_BYTE; return; }
    if (r->flen >= r->lim->max_field_bytes) { r->errors |= CSV_ERR_FIELD_TOO_LONG; return; }
    if (r->content >= r->lim->max_record_bytes) { r->errors |= CSV_ERR_RECORD_TOO_LONG; return; }
    r->buf[r->used++] = (char)c;
    r->flen++;
    r->content++;
}

const char *csv_strerror(unsigned errors)
{
    /* Most serious first: an open quote means the rest of the file was
     * eaten; wrong encoding usually means the whole file was saved as GBK. */
    if (errors & CSV_ERR_UNTERMINATED) return "unterminated quoted field (引号未闭合)";
    if (errors & CSV_ERR_BAD_UTF8) return "not valid UTF-8, save as CSV UTF-8 (不是UTF-8编码)";
    if (errors & CSV_ERR_TOO_MANY_FIELDS) return "too many fields (列数过多)";
    if (errors & CSV_ERR_RECORD_TOO_LONG) return "row too long (行内容过长)";
    if (errors & CSV_ERR_FIELD_TOO_LONG) return "field too long (单元格内容过长)";
    if (errors & CSV_ERR_NUL_BYTE) return "NUL byte in field (含有非法字符)";
    return errors ? "malformed row (格式错误)" : "";
}

int csv_fields_blank(const char *const *fields, size_t nfields)
{
    for (size_t i = 0; i < nfields; i++) {
        for (const char *p = fields[i]; p && *p; p++)
            if (*p != ' ' && *p != '\t') return 0;
    }
    return 1;
}

int csv_parse(const char *data, size_t len, const csv_limits_t *lim,
              csv_row_fn cb, void *ctx)
{
    /* Every record takes at least one byte, so len <= INT_MAX keeps the
     * record count inside the int return value. */
    if (!cb || (!data && len > 0) || len > (size_t)INT_MAX) return CSV_EINVAL;

    csv_limits_t L = {
        CSV_DEFAULT_MAX_FIELDS, CSV_DEFAULT_MAX_FIELD_BYTES, CSV_DEFAULT_MAX_RECORD_BYTES
    };
    if (lim) {
        if (lim->max_fields) L.max_fields = lim->max_fields;
        if (lim->max_field_bytes) L.max_field_bytes = lim->max_field_bytes;
        if (lim->max_record_bytes) L.max_record_bytes = lim->max_record_bytes;
    }
    if (L.max_fields > CSV_CEIL_MAX_FIELDS || L.max_record_bytes > CSV_CEIL_MAX_RECORD_BYTES)
        return CSV_EINVAL;
    /* A field can never hold more than the record, whatever was asked. */
    if (L.max_field_bytes > L.max_record_bytes) L.max_field_bytes = L.max_record_bytes;

    /* Both sizes are bounded by the ceilings, so neither sum overflows. */
    char *buf = malloc(L.max_record_bytes + L.max_fields + 1);
    const char **fields = malloc(L.max_fields * sizeof *fields);
    if (!buf || !fields) { free(buf); free(fields); return CSV_ENOMEM; }

    const unsigned char *s = (const unsigned char *)data;
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) i = 3;

    size_t line = 1;
    int count = 0, rc = 0;
    csv_rec_t r = { .buf = buf, .lim = &L };

    while (i < len) {
        /* At the start of a physical line: an empty one is skipped. */
        if (s[i] == '\n') { i++; line++; continue; }
        if (s[i] == '\r') {
            i++;
            if (i < len && s[i] == '\n') i++;
            line++;
            continue;
        }

        size_t start_line = line, nf = 0;
        r.used = 0; r.content = 0; r.errors = 0;

        for (;;) {                                   /* one field per turn */
            size_t fstart = r.used;
            r.flen = 0;
            r.storing = nf < L.max_fields;
            if (!r.storing) r.errors |= CSV_ERR_TOO_MANY_FIELDS;

            if (i < len && s[i] == '"') {
                i++;
                for (;;) {
                    if (i >= len) { r.errors |= CSV_ERR_UNTERMINATED; break; }
                    unsigned char c = s[i];
                    if (c == '"') {
                        if (i + 1 < len && s[i + 1] == '"') { csv_put(&r, '"'); i += 2; continue; }
                        i++;                         /* the closing quote */
                        break;
                    }
                    if (c == '\r') {
                        i++;
                        if (i < len && s[i] == '\n') i++;
                        line++;
                        csv_put(&r, '\n');
                        continue;
                    }
                    if (c == '\n') line++;
                    csv_put(&r, c);
                    i++;
                }
            }
            /* Unquoted text, or what follows a closing quote: literal. */
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                csv_put(&r, s[i++]);

            if (r.storing) {
                buf[r.used] = '\0';
                /* A field cut at its limit may end inside a character; it
                 * is already in error, so do not add a second, false one. */
                if (!(r.errors & (CSV_ERR_FIELD_TOO_LONG | CSV_ERR_RECORD_TOO_LONG)) &&
                    !csv_utf8_valid((const unsigned char *)buf + fstart, r.used - fstart))
                    r.errors |= CSV_ERR_BAD_UTF8;
                fields[nf++] = buf + fstart;
                r.used++;
            }
            if (i < len && s[i] == ',') { i++; continue; }
            break;                                   /* line break or end of input */
        }

        if (i < len) {                               /* the record's line break */
            if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') i += 2;
            else i++;
            line++;
        }

        count++;
        if (cb(ctx, start_line, fields, nf, r.errors) != 0) { rc = CSV_ESTOPPED; break; }
    }

    free(buf);
    free(fields);
    return rc ? rc : count;
}
