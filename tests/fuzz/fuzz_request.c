/* fuzz_request.c: the request helpers that outside bytes reach — query
 * strings (percent-decoding, integer parameters) and JSON bodies — and the
 * error reply that may echo them. Every reply must be valid JSON in the
 * contract's shape. Input: first byte splits the rest into query and body. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/arena.h"
#include "server/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(req_t *r)
{
    if (!r->replied)
        return;
    json_t *j = json_loadb(r->out, r->out_len, 0, NULL);
    if (!j || !json_is_object(j))
        abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t split = data[0] % (size);
    arena_t a;
    arena_init(&a);
    req_t r;
    memset(&r, 0, sizeof r);
    r.arena = &a;
    r.query = arena_strndup(&a, (const char *)data + 1, split > 0 ? split - 1 : 0);
    r.body = arena_strndup(&a, (const char *)data + split, size - split);
    r.body_len = size - split;

    const char *names[] = { "q", "limit", "offset", "region", "contest_id", "" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = req_query(&r, names[i]);
        if (v)
            (void)strlen(v);
    }
    long long n;
    r.replied = 0;
    if (req_query_int(&r, "limit", 20, 1, 100, &n) < 0)
        check_reply(&r);
    r.replied = 0;
    json_t *j = req_json(&r);
    if (!j)
        check_reply(&r);
    /* every member's text as a field reads it: NULL, or NUL-free */
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        const char *t = req_text(v);
        if (t && strlen(t) != json_string_length(v))
            __builtin_trap();
    }
    /* an error message built from outside text */
    r.replied = 0;
    r.extra_headers = NULL;
    reply_error(&r, 400, "invalid_parameter", r.body);
    check_reply(&r);
    arena_free(&a);
    return 0;
}
