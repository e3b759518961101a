/* multipart.c: see multipart.h. */
#define _GNU_SOURCE   /* memmem, strncasecmp */
#include "lib/multipart.h"

#include <string.h>
#include <stdio.h>
#include <strings.h>

int multipart_is_form(const char *ct)
{
    return ct && strncasecmp(ct, "multipart/form-data", 19) == 0 && (ct[19] == '\0' || ct[19] == ';' || ct[19] == ' ');
}

/* The boundary parameter of ct into out (NUL-terminated). Returns its
 * length, or -1. */
static int boundary_of(const char *ct, char out[72])
{
    const char *p = ct;
    while ((p = strchr(p, ';'))) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (p[n] && p[n] != '"')
                n++;
            if (p[n] != '"')
                return -1;
        } else {
            while (p[n] && p[n] != ';' && p[n] != ' ' && p[n] != '\t')
                n++;
        }
        if (n < 1 || n > 70)
            return -1;
        memcpy(out, p, n);
        out[n] = '\0';
        return (int)n;
    }
    return -1;
}

/* The value of parameter name (name="x" or name=x) in the header line
 * [h, end), into out. Returns 1 found, 0 not. */
static int header_param(const char *h, const char *end, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    for (const char *p = h; p + nl + 1 < end; p++) {
        if ((p == h || p[-1] == ';' || p[-1] == ' ') && strncasecmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1, *ve;
            if (v < end && *v == '"') {
                v++;
                ve = memchr(v, '"', (size_t)(end - v));
                if (!ve)
                    return 0;
            } else {
                ve = v;
                while (ve < end && *ve != ';' && *ve != ' ')
                    ve++;
            }
            size_t n = (size_t)(ve - v);
            if (n >= outsz)
                n = outsz - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 1;
        }
    }
    return 0;
}

static int find_file(const char *content_type, const char *body, size_t body_len,
                     const char *want_name, const char **data, size_t *len, size_t *nfiles)
{
    char b[72], delim[80];
    if (!content_type || !body || boundary_of(content_type, b) < 0)
        return -1;
    /* delim = "\r\n--" boundary; the first one may sit at the very start. */
    size_t dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", b);
    const char *end = body + body_len, *p;
    if (body_len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
        p = body + dl - 2;
    else if ((p = memmem(body, body_len, delim, dl)))
        p += dl;
    else
        return -1;
    const char *first = NULL, *with_file = NULL, *named = NULL;
    size_t first_len = 0, with_file_len = 0, named_len = 0;
    for (;;) {
        /* after a delimiter: "--" ends the body; else transport padding, CRLF */
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            break;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return -1;
        p += 2;
        const char *hend, *content;
        if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
            hend = p;        /* a part with no headers at all */
            content = p + 2;
        } else if ((hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4))) {
            content = hend + 4;
        } else {
            return -1;
        }
        char name[128] = "", filename[8] = "";
        int has_file = 0;
        for (const char *h = p; h < hend;) {
            const char *le = memmem(h, (size_t)(hend - h), "\r\n", 2);
            if (!le)
                le = hend;
            if ((size_t)(le - h) > 20 && strncasecmp(h, "Content-Disposition:", 20) == 0) {
                header_param(h + 20, le, "name", name, sizeof name);
                has_file = header_param(h + 20, le, "filename", filename, sizeof filename);
            }
            h = le + 2;
        }
        const char *next = memmem(content, (size_t)(end - content), delim, dl);
        if (!next)
            return -1;
        size_t clen = (size_t)(next - content);
        if (!first) {
            first = content;
            first_len = clen;
        }
        if (has_file || (want_name && strcmp(name, want_name) == 0))
            (*nfiles)++;
        if (has_file && !with_file) {
            with_file = content;
            with_file_len = clen;
        }
        if (want_name && !named && strcmp(name, want_name) == 0) {
            named = content;
            named_len = clen;
        }
        p = next + dl;
    }
    if (named) {
        *data = named;
        *len = named_len;
    } else if (with_file) {
        *data = with_file;
        *len = with_file_len;
    } else if (first) {
        *data = first;
        *len = first_len;
    } else {
        return -1;
    }
    return 0;
}

int multipart_find_file(const char *content_type, const char *body, size_t body_len,
                        const char *want_name, const char **data, size_t *len)
{
    size_t n = 0;
    return find_file(content_type, body, body_len, want_name, data, len, &n);
}

int multipart_only_file(const char *content_type, const char *body, size_t body_len,
                        const char *want_name, const char **data, size_t *len, size_t *nfiles)
{
    *nfiles = 0;
    return find_file(content_type, body, body_len, want_name, data, len, nfiles);
}
