/* fuzz_fcgi.c: libFuzzer target for the FastCGI parser (server/fcgi.c).
 *
 * Input layout:
 *   byte 0   limits: params_limit = 8 + 4 * (b & 63), body_limit = 16 * (b >> 6),
 *            small so that both limits are hit often;
 *   byte 1   how the stream is cut into reads: 0 = one read, else the seed
 *            of a generator of read sizes 1..64 (so splitting is fuzzed);
 *   rest     the bytes a web server sent, as the connection loop sees them.
 *
 * The stream is run twice, once in one read and once cut up, acting on
 * every return code as a connection would (reset after REQUEST_READY, write
 * out p->out after every call). Besides memory errors, the target checks
 * the parser's contracts and that cutting the stream differently changes
 * nothing: same events, same params, same body, same reply bytes. */
#include "server/fcgi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Everything observable about a run, folded into a hash (FNV-1a). */
typedef struct {
    uint64_t h;
    int error;   /* the error code that ended the run, 0 if none */
} run_t;

static void mix(run_t *r, const void *d, size_t n)
{
    const uint8_t *b = d;
    for (size_t i = 0; i < n; i++)
        r->h = (r->h ^ b[i]) * 1099511628211ull;
}

static void mix_int(run_t *r, long long v)
{
    mix(r, &v, sizeof v);
}

/* The parser's contracts after each event. A failed check aborts, which
 * libFuzzer reports as a crash. */
static void check_params(const fcgi_parser_t *p)
{
    if (p->nparams > p->params_limit / 2 + 1)
        abort();
    for (size_t i = 0; i < p->nparams; i++) {
        const fcgi_param_t *q = &p->params[i];
        const char *lo = p->params_buf, *hi = p->params_buf + p->params_len;
        if (q->name < lo || q->name + q->name_len >= hi || q->name[q->name_len] != '\0')
            abort();
        if (q->value < lo || q->value + q->value_len >= hi || q->value[q->value_len] != '\0')
            abort();
    }
}

static void check_body(const fcgi_parser_t *p)
{
    if (!p->body || p->body[p->body_len] != '\0' || p->body_len > p->body_limit)
        abort();
    if (p->body_too_large && p->body_len != 0)
        abort();
}

static void run(const uint8_t *data, size_t len, uint8_t limits, uint8_t split, run_t *r)
{
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    p.params_limit = 8 + 4 * (size_t)(limits & 63);
    size_t body_limit = 16 * (size_t)(limits >> 6);
    p.body_limit = body_limit;
    p.max_conns = 7;
    p.max_reqs = 300;   /* a value of more than one digit */
    uint32_t rng = split ? 0x9e3779b9u * split : 0;

    r->h = 1469598103934665603ull;
    r->error = 0;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off;
        if (rng) {
            rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
            size_t want = 1 + rng % 64;
            if (want < n)
                n = want;
        }
        /* One read: offer its bytes until fcgi_feed has taken them all. */
        size_t done = 0;
        while (done < n) {
            size_t used = 0;
            int rc = fcgi_feed(&p, data + off + done, n - done, &used);
            if (used > n - done)
                abort();
            done += used;
            /* "Write" the replies: they are part of what must not depend
             * on how the stream was cut. */
            if (p.out_len > FCGI_OUT_LIMIT + 4096)
                abort();
            mix(r, p.out, p.out_len);
            p.out_len = 0;
            /* (p.aborted is not hashed: it stays set across calls, so how
             * often it is seen depends on the cutting. The END_REQUEST an
             * abort queues is in out.) */

            switch (rc) {
            case FCGI_NEED_MORE:
                if (done != n)   /* NEED_MORE means everything was used */
                    abort();
                break;
            case FCGI_PARAMS_READY: {
                check_params(&p);
                mix_int(r, 'P');
                mix_int(r, p.request_id);
                mix_int(r, p.keep_conn);
                for (size_t i = 0; i < p.nparams; i++) {
                    mix(r, p.params[i].name, p.params[i].name_len + 1);
                    mix(r, p.params[i].value, p.params[i].value_len + 1);
                }
                /* A caller sets the body limit per request, here from a
                 * param when there is one, as a route would. */
                const char *bl = fcgi_param(&p, "BODY_LIMIT");
                p.body_limit = bl ? strtoul(bl, NULL, 10) % 200 : body_limit;
                break;
            }
            case FCGI_REQUEST_READY: {
                check_params(&p);
                check_body(&p);
                mix_int(r, 'R');
                mix_int(r, p.body_too_large);
                mix(r, p.body, p.body_len + 1);
                /* Answer it, as the connection would, and check the framing. */
                uint8_t *resp = NULL;
                size_t rlen = 0, rcap = 0;
                if (fcgi_build_response(&resp, &rlen, &rcap, p.request_id,
                                        (const uint8_t *)p.body, p.body_len, 0) < 0
                    || rlen % 8 != 0 || rlen < p.body_len + 24)
                    abort();
                free(resp);
                fcgi_parser_reset_request(&p);
                break;
            }
            case FCGI_ERR_PROTOCOL:
            case FCGI_ERR_PARAMS_TOO_LARGE:
                /* The connection is dropped; the error must stick. */
                r->error = rc;
                if (fcgi_feed(&p, data, len, &used) != rc || used != 0)
                    abort();
                fcgi_parser_free(&p);
                return;
            default:
                abort();
            }
        }
        off += n;
    }
    mix_int(r, 'E');
    mix_int(r, p.request_id);
    fcgi_parser_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t limits = data[0], split = data[1];
    data += 2;
    size -= 2;

    run_t whole, cut;
    run(data, size, limits, 0, &whole);
    run(data, size, limits, split ? split : 1, &cut);

    /* Cutting the stream must not change the outcome. The one legitimate
     * difference: replies pile up within a single read, so only the
     * one-read run can hit FCGI_OUT_LIMIT; compare only clean runs. */
    if (!whole.error && !cut.error && whole.h != cut.h)
        abort();
    if (!whole.error && cut.error)
        abort();   /* smaller reads can only make the out cap easier */
    return 0;
}
