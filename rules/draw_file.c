/* draw_file.c: see draw_file.h. */
#define _GNU_SOURCE
#include "rules/draw_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p, *end;
    size_t lineno;
} cursor_t;

/* The next line without its '\n' into line and len; -1 when none is left or
 * the last one lacks its '\n'. */
static int next_line(cursor_t *c, const char **line, size_t *len)
{
    if (c->p >= c->end)
        return -1;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (!nl)
        return -1;
    *line = c->p;
    *len = (size_t)(nl - c->p);
    c->p = nl + 1;
    c->lineno++;
    return 0;
}

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errsz)
        vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

/* A decimal number of [min, max] starting at *s, ending at a space or at
 * end; plain digits only (no sign except a leading '-' when min < 0, no
 * leading zeros). Advances *s. */
static int number(const char **s, const char *end, long long min, long long max, long long *out)
{
    const char *p = *s;
    int neg = 0;
    if (p < end && *p == '-' && min < 0) {
        neg = 1;
        p++;
    }
    const char *d = p;
    long long v = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        if (v > (max + 9) / 10 + 1)
            return -1;
        v = v * 10 + (*p - '0');
        p++;
    }
    if (p == d || p - d > 19 || (p - d > 1 && *d == '0'))
        return -1;
    if (neg)
        v = -v;
    if (v < min || v > max)
        return -1;
    *s = p;
    *out = v;
    return 0;
}

/* "<word> <number>" */
static int keyed_number(cursor_t *c, const char *word, long long min, long long max, long long *out)
{
    const char *line;
    size_t len, wl = strlen(word);
    if (next_line(c, &line, &len) < 0 || len <= wl + 1 || memcmp(line, word, wl) != 0 || line[wl] != ' ')
        return -1;
    const char *p = line + wl + 1;
    return number(&p, line + len, min, max, out) < 0 || p != line + len ? -1 : 0;
}

static int candidate_line(cursor_t *c, size_t n, prize_cand_t *out)
{
    const char *line, *p;
    size_t len;
    long long v[4];
    static const long long lo[4] = { 1, 0, 0, 0 }, hi[4] = { 1LL << 53, 1LL << 40, 1LL << 40, 0 };
    if (next_line(c, &line, &len) < 0)
        return -1;
    p = line;
    const char *end = line + len;
    for (int k = 0; k < 4; k++) {
        if (k && (p >= end || *p++ != ' '))
            return -1;
        if (number(&p, end, lo[k], k == 3 ? (long long)n : hi[k], &v[k]) < 0)
            return -1;
    }
    if (p != end)
        return -1;
    *out = (prize_cand_t){ .user_id = v[0], .score = v[1], .reached_at = v[2], .phone_group = (size_t)v[3] };
    return 0;
}

int rules_draw_file_parse(const char *text, size_t len, draw_file_t *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (errsz)
        err[0] = '\0';
    if (len > DRAW_FILE_MAX_BYTES)
        return fail(err, errsz, "larger than %u bytes", DRAW_FILE_MAX_BYTES);
    cursor_t c = { .p = text, .end = text + len };
    const char *line;
    size_t ll;
    if (next_line(&c, &line, &ll) < 0 || ll != strlen(DRAW_FILE_MAGIC) || memcmp(line, DRAW_FILE_MAGIC, ll) != 0)
        return fail(err, errsz, "line 1: not \"%s\"", DRAW_FILE_MAGIC);
    if (keyed_number(&c, "contest", 1, 1LL << 53, &out->contest_id) < 0)
        return fail(err, errsz, "line 2: not \"contest <id>\"");
    if (keyed_number(&c, "full_marks", 0, 1LL << 40, &out->full_marks) < 0)
        return fail(err, errsz, "line 3: not \"full_marks <n>\"");
    if (next_line(&c, &line, &ll) < 0 || ll < 10 || memcmp(line, "settings ", 9) != 0)
        return fail(err, errsz, "line 4: not \"settings <json>\"");
    out->settings_json = malloc(ll - 9 + 1);
    if (!out->settings_json)
        return fail(err, errsz, "out of memory");
    memcpy(out->settings_json, line + 9, ll - 9);
    out->settings_json[ll - 9] = '\0';
    json_t *j = json_loadb(line + 9, ll - 9, 0, NULL);
    int bad = !j || rules_prize_settings_parse(j, &out->settings, err, errsz) < 0;
    json_decref(j);
    if (bad)
        return fail(err, errsz, "line 4: prize settings not valid");
    long long n;
    if (keyed_number(&c, "count", 0, DRAW_FILE_MAX_CANDIDATES, &n) < 0)
        return fail(err, errsz, "line 5: not \"count <n>\" (at most %d)", DRAW_FILE_MAX_CANDIDATES);
    /* Each candidate line takes at least 8 bytes: refuse a count the text cannot hold. */
    if ((size_t)n > (size_t)(c.end - c.p) / 8)
        return fail(err, errsz, "line 5: count %lld is more than the file holds", n);
    out->cands = calloc((size_t)n + 1, sizeof *out->cands);
    if (!out->cands)
        return fail(err, errsz, "out of memory");
    for (out->n = 0; out->n < (size_t)n; out->n++)
        if (candidate_line(&c, (size_t)n, &out->cands[out->n]) < 0)
            return fail(err, errsz, "line %zu: not \"<user_id> <score> <reached_at> <phone_group>\"", c.lineno + 1);
    if (c.p != c.end)
        return fail(err, errsz, "line %zu: text after the last candidate", c.lineno + 1);
    if (!rules_prize_canonical(out->cands, out->n))
        return fail(err, errsz, "candidates are not in canonical order (score down, reached_at up, user_id up)");
    return 0;
}

void rules_draw_file_free(draw_file_t *f)
{
    free(f->settings_json);
    free(f->cands);
    memset(f, 0, sizeof *f);
}

char *rules_draw_file_header(long long contest_id, long long full_marks, const char *settings_json, size_t n)
{
    char *s = NULL;
    if (asprintf(&s, "%s\ncontest %lld\nfull_marks %lld\nsettings %s\ncount %zu\n", DRAW_FILE_MAGIC, contest_id,
                 full_marks, settings_json, n) < 0)
        return NULL;
    return s;
}
