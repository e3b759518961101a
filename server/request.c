/* request.c: query parsing, JSON bodies and replies; every error reply in
 * the contract's shape is built by reply_error() and nowhere else. */
#include "server/request.h"
#include "server/log.h"
#include "server/router.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode [s, s+n) into the arena; '+' is a space in queries. */
static char *url_decode(arena_t *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1), *o = d;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (s[i] == '+') {
            *o++ = ' ';
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return d;
}

const char *req_bearer(const req_t *r)
{
    const char *h = r->authorization;
    return h && strncasecmp(h, "Bearer ", 7) == 0 && h[7] ? h + 7 : NULL;
}

const char *req_query(req_t *r, const char *name)
{
    size_t nlen = strlen(name);
    const char *q = r->query;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t klen = eq ? (size_t)(eq - q) : len;
        if (klen == nlen && memcmp(q, name, nlen) == 0)
            return eq ? url_decode(r->arena, eq + 1, len - klen - 1) : "";
        q = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int req_query_int(req_t *r, const char *name, long long def, long long min, long long max,
                  long long *out)
{
    const char *v = req_query(r, name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        reply_error(r, 400, "invalid_parameter",
                    arena_sprintf(r->arena, "%s must be a whole number from %lld to %lld", name,
                                  min, max));
        return -1;
    }
    *out = n;
    return 0;
}

static void json_decref_cb(void *p) { json_decref(p); }

json_t *req_json_object(req_t *r)
{
    json_error_t err;
    /* JSON_REJECT_DUPLICATES: {"a":1,"a":2} has no single meaning.
     * JSON_ALLOW_NUL: a string holding \u0000 is well-formed JSON; the
     * field that reads it refuses it (req_text). */
    json_t *j = r->body_len ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err)
                            : NULL;
    if (!j || !json_is_object(j)) {
        if (j)
            json_decref(j);
        return NULL;
    }
    arena_cleanup_add(r->arena, json_decref_cb, j);
    return j;
}

json_t *req_json(req_t *r)
{
    json_t *j = req_json_object(r);
    if (!j)
        reply_error(r, 400, "bad_json", "the body must be a JSON object");
    return j;
}

const char *req_text(const json_t *v)
{
    const char *s = json_string_value(v);
    return s && strlen(s) == json_string_length(v) ? s : NULL;
}

json_t *arena_json(arena_t *a, json_t *j)
{
    if (j)
        arena_cleanup_add(a, json_decref_cb, j);
    return j;
}

char *arena_json_text(arena_t *a, const json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (!s)
        return NULL;
    char *copy = arena_strdup(a, s);
    free(s);
    return copy;
}

int req_id_param(req_t *r, int i, const char *not_found_code, long long *out)
{
    const char *s = i < r->npv ? r->pv[i] : NULL;
    char *end;
    errno = 0;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || errno || *end || v <= 0 || !isdigit((unsigned char)*s)) {
        reply_error(r, 404, not_found_code, "not found");
        return -1;
    }
    *out = v;
    return 0;
}

int reply_raw(req_t *r, int status, const char *ctype, const void *data, size_t len)
{
    r->status = status;
    r->ctype = ctype;
    char *o = arena_alloc(r->arena, len + 1);
    memcpy(o, data, len);
    r->out = o;
    r->out_len = len;
    r->replied = 1;
    return 0;
}

int reply_json(req_t *r, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s)
        return reply_error(r, 500, "internal", "internal error");
    reply_raw(r, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
    return 0;
}

int reply_error(req_t *r, int status, const char *code, const char *message)
{
    /* Strip CR/LF and control bytes from text that may echo user input, as
     * Redis's addReplyErrorLength does. */
    char clean[512];
    size_t n = 0;
    for (const char *p = message ? message : ""; *p && n < sizeof clean - 1; p++)
        clean[n++] = ((unsigned char)*p < 0x20) ? ' ' : *p;
    clean[n] = '\0';
    json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", clean);
    if (status == 429 || status == 503) {
        int has = r->extra_headers && strstr(r->extra_headers, "Retry-After:");
        if (!has)
            reply_header(r, "Retry-After", "1");
    }
    return reply_json(r, status, e);
}

void reply_header(req_t *r, const char *name, const char *value)
{
    r->extra_headers = arena_sprintf(r->arena, "%s%s: %s\r\n", r->extra_headers ? r->extra_headers : "",
                                     name, value);
}

int reply_store_error(req_t *r, const char *what)
{
    log_warn("store error in %s (%s)", r->route ? r->route->pattern : "?", what);
    return reply_error(r, 503, "unavailable", "a data store is unavailable; try again shortly");
}

int reply_status(req_t *r, int st)
{
    if (r->replied || st >= 0)
        return st;
    if (st == ST_STORE || st == ST_RETRY)
        reply_store_error(r, status_str((status_t)st));
    else
        reply_error(r, 500, "internal", "internal error");
    return st;
}

const char *http_status_text(int s)
{
    switch (s) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

int req_serialize(req_t *r, char **out, size_t *len)
{
    char head[1024];
    int n = snprintf(head, sizeof head, "Status: %d %s\r\nContent-Type: %s\r\n", r->status,
                     http_status_text(r->status), r->ctype ? r->ctype : "application/json; charset=utf-8");
    if (n < 0 || (size_t)n > sizeof head - 64)
        return -1;
    /* The length lets nginx send the body as it is instead of in chunks
     * (less work for nginx and the client on every reply). Not for a
     * reply without a body, nor for one nginx replaces by a file
     * (X-Accel-Redirect). */
    if (r->status != 204 && r->status != 304 &&
        !(r->extra_headers && strstr(r->extra_headers, "X-Accel-Redirect:")))
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", r->out_len);
    size_t extra = r->extra_headers ? strlen(r->extra_headers) : 0;
    size_t total = (size_t)n + extra + 2 + r->out_len;
    char *b = malloc(total);
    if (!b)
        return -1;
    memcpy(b, head, (size_t)n);
    if (extra)
        memcpy(b + n, r->extra_headers, extra);
    memcpy(b + n + extra, "\r\n", 2);
    if (r->out_len)
        memcpy(b + n + extra + 2, r->out, r->out_len);
    *out = b;
    *len = total;
    return 0;
}
