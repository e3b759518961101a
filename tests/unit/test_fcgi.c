/* test_fcgi.c: the FastCGI parser and encoder, byte for byte.
 *
 * Inputs are spelled as the records nginx would send; expected replies are
 * spelled out as bytes, so a change in the wire format shows up here. */
#include "server/fcgi.h"
#include "tests/unit/check.h"

#include <stdlib.h>

/* ---- helpers that write records the way a web server would ----------- */

/* Write one record at b: header, content, then pad bytes of 0xEE (not
 * zeros, so a parser that reads padding as content is caught). Returns the
 * bytes written. */
static size_t rec(uint8_t *b, uint8_t type, uint16_t id, const void *content, size_t clen,
                  uint8_t pad)
{
    b[0] = 1; b[1] = type; b[2] = (uint8_t)(id >> 8); b[3] = (uint8_t)id;
    b[4] = (uint8_t)(clen >> 8); b[5] = (uint8_t)clen; b[6] = pad; b[7] = 0;
    if (clen)
        memcpy(b + 8, content, clen);
    memset(b + 8 + clen, 0xEE, pad);
    return 8 + clen + pad;
}

static size_t begin(uint8_t *b, uint16_t id, uint16_t role, uint8_t flags)
{
    const uint8_t body[8] = { (uint8_t)(role >> 8), (uint8_t)role, flags, 0, 0, 0, 0, 0 };
    return rec(b, FCGI_BEGIN_REQUEST, id, body, 8, 0);
}

/* Append a pair with fcgi_encode_pair into a fixed test buffer. */
static size_t pair(uint8_t *b, const char *name, const char *value)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    fcgi_encode_pair(&buf, &len, &cap, name, strlen(name), value, strlen(value));
    memcpy(b, buf, len);
    free(buf);
    return len;
}

/* A whole request: BEGIN (keep-conn), PARAMS in one record, empty PARAMS,
 * body in one STDIN record (if any), empty STDIN. */
static size_t request(uint8_t *b, uint16_t id, const char *uri, const char *body)
{
    uint8_t params[512];
    size_t pl = 0, n = 0;
    pl += pair(params + pl, "REQUEST_METHOD", body && *body ? "POST" : "GET");
    pl += pair(params + pl, "REQUEST_URI", uri);
    n += begin(b + n, id, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(b + n, FCGI_PARAMS, id, params, pl, (uint8_t)((8 - pl % 8) % 8));
    n += rec(b + n, FCGI_PARAMS, id, NULL, 0, 0);
    if (body && *body)
        n += rec(b + n, FCGI_STDIN, id, body, strlen(body), 0);
    n += rec(b + n, FCGI_STDIN, id, NULL, 0, 0);
    return n;
}

/* Feed data in chunks of step bytes (0: all at once) the way a connection
 * loop does, writing what happened into log:
 *   "P;" PARAMS_READY, "R(uri|body|too_large);" REQUEST_READY (then the
 *   request is reset, as after answering it), "E<code>;" an error (stop).
 * Returns the last code fcgi_feed returned. */
static int drive(fcgi_parser_t *p, const uint8_t *data, size_t len, size_t step, char *log,
                 size_t logsz)
{
    size_t off = 0;
    int rc = FCGI_NEED_MORE;
    log[0] = '\0';
    while (off < len) {
        size_t n = step && step < len - off ? step : len - off;
        const uint8_t *chunk = data + off;
        size_t used_total = 0;
        /* Every byte of a chunk is offered until fcgi_feed has taken it all. */
        while (used_total < n) {
            size_t used = 0;
            rc = fcgi_feed(p, chunk + used_total, n - used_total, &used);
            used_total += used;
            size_t l = strlen(log);
            if (rc == FCGI_PARAMS_READY) {
                snprintf(log + l, logsz - l, "P;");
            } else if (rc == FCGI_REQUEST_READY) {
                const char *uri = fcgi_param(p, "REQUEST_URI");
                snprintf(log + l, logsz - l, "R(%s|%s|%d);", uri ? uri : "-", p->body,
                         p->body_too_large);
                fcgi_parser_reset_request(p);
            } else if (rc < 0) {
                snprintf(log + l, logsz - l, "E%d;", rc);
                return rc;
            } else if (used_total < n) {
                snprintf(log + l, logsz - l, "NEED_MORE with input left;");
                return -100;
            }
        }
        off += n;
    }
    return rc;
}

/* ---- name-value encoding --------------------------------------------- */

TEST(encode_pair_one_and_four_byte_lengths)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    char v128[128], v300[300];
    memset(v128, 'x', sizeof v128);
    memset(v300, 'y', sizeof v300);

    /* 127 is the last one-byte length; 128 needs four with the top bit set. */
    CHECK_INT(fcgi_encode_pair(&buf, &len, &cap, "ab", 2, v128, 127), 0);
    CHECK_INT(len, 1 + 1 + 2 + 127);
    CHECK_MEM(buf, "\x02\x7f" "ab", 4);
    len = 0;
    CHECK_INT(fcgi_encode_pair(&buf, &len, &cap, "ab", 2, v128, 128), 0);
    CHECK_INT(len, 1 + 4 + 2 + 128);
    CHECK_MEM(buf, "\x02\x80\x00\x00\x80" "ab", 7);
    len = 0;
    CHECK_INT(fcgi_encode_pair(&buf, &len, &cap, v300, 300, "", 0), 0);
    CHECK_INT(len, 4 + 1 + 300);
    CHECK_MEM(buf, "\x80\x00\x01\x2c\x00", 5);
    CHECK(buf[5] == 'y' && buf[len - 1] == 'y');
    /* Appends to what is there. */
    CHECK_INT(fcgi_encode_pair(&buf, &len, &cap, "k", 1, "v", 1), 0);
    CHECK_MEM(buf + 305, "\x01\x01kv", 4);
    free(buf);
}

/* ---- parsing ------------------------------------------------------------ */

TEST(simple_request_exact_bytes)
{
    /* Exactly what nginx sends for POST /a with body "hello". */
    static const uint8_t in[] =
        "\x01\x01\x00\x01\x00\x08\x00\x00" "\x00\x01\x01\x00\x00\x00\x00\x00"  /* BEGIN, keep */
        "\x01\x04\x00\x01\x00\x19\x07\x00"                                      /* PARAMS 25+7 */
        "\x0e\x04" "REQUEST_METHOD" "POST" "\x01\x02" "Xab"
        "\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x04\x00\x01\x00\x00\x00\x00"                                      /* PARAMS end */
        "\x01\x05\x00\x01\x00\x05\x03\x00" "hello" "\x00\x00\x00"               /* STDIN */
        "\x01\x05\x00\x01\x00\x00\x00\x00";                                     /* STDIN end */
    size_t len = sizeof in - 1, used = 0, off;
    fcgi_parser_t p;
    fcgi_parser_init(&p);

    CHECK_INT(fcgi_feed(&p, in, len, &used), FCGI_PARAMS_READY);
    CHECK_INT(used, 16 + 8 + 32 + 8);   /* stopped right after the empty PARAMS */
    CHECK_INT(p.request_id, 1);
    CHECK_INT(p.keep_conn, 1);
    CHECK_INT(p.nparams, 2);
    CHECK_STR(fcgi_param(&p, "REQUEST_METHOD"), "POST");
    CHECK_STR(fcgi_param(&p, "X"), "ab");
    CHECK_INT(p.params[1].name_len, 1);
    CHECK_INT(p.params[1].value_len, 2);
    CHECK(fcgi_param(&p, "REQUEST") == NULL);
    CHECK(fcgi_param(&p, "MISSING") == NULL);
    off = used;
    CHECK_INT(fcgi_feed(&p, in + off, len - off, &used), FCGI_REQUEST_READY);
    CHECK_INT(off + used, len);
    CHECK_INT(p.body_len, 5);
    CHECK_STR(p.body, "hello");
    CHECK_INT(p.body_too_large, 0);
    CHECK_INT(p.out_len, 0);
    fcgi_parser_free(&p);
}

TEST(four_byte_lengths_decoded)
{
    char name[131], value[301];
    memset(name, 'N', 130); name[130] = '\0';
    memset(value, 'v', 300); value[300] = '\0';
    uint8_t in[1024], params[600];
    size_t pl = pair(params, name, value), n = 0;
    CHECK_MEM(params, "\x80\x00\x00\x82\x80\x00\x01\x2c", 8);
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, params, pl, 0);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    char log[256];
    CHECK_INT(drive(&p, in, n, 0, log, sizeof log), FCGI_PARAMS_READY);
    CHECK_INT(p.keep_conn, 0);
    CHECK_INT(p.nparams, 1);
    CHECK_INT(p.params[0].name_len, 130);
    CHECK_INT(p.params[0].value_len, 300);
    CHECK_STR(fcgi_param(&p, name), value);
    fcgi_parser_free(&p);
}

TEST(padding_is_skipped)
{
    /* Every record padded with 0xEE garbage, even the empty ones. */
    uint8_t in[512];
    size_t n = 0;
    uint8_t params[64];
    size_t pl = pair(params, "REQUEST_URI", "/p");
    n += begin(in + n, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(in + n, FCGI_PARAMS, 1, params, pl, 255);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 7);
    n += rec(in + n, FCGI_STDIN, 1, "x", 1, 7);
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 3);

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    char log[256];
    drive(&p, in, n, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/p|x|0);");
    fcgi_parser_free(&p);
}

TEST(pair_straddles_params_records)
{
    /* One pair with a four-byte value length, cut inside that length, then
     * inside the name, across three PARAMS records. */
    char value[201];
    memset(value, 'q', 200); value[200] = '\0';
    uint8_t params[512];
    size_t pl = 0;
    pl += pair(params + pl, "REQUEST_URI", "/s");
    pl += pair(params + pl, "HTTP_LONG", value);   /* 09 80 00 00 c8 ... */
    size_t cut1 = 15 + 3;       /* after the first pair and "\x09\x80\x00" */
    size_t cut2 = cut1 + 2 + 4; /* inside "HTTP_LONG" */
    uint8_t in[1024];
    size_t n = 0;
    n += begin(in + n, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(in + n, FCGI_PARAMS, 1, params, cut1, 1);
    n += rec(in + n, FCGI_PARAMS, 1, params + cut1, cut2 - cut1, 0);
    n += rec(in + n, FCGI_PARAMS, 1, params + cut2, pl - cut2, 2);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    char log[256];
    size_t used;
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    CHECK_INT(p.nparams, 2);
    CHECK_STR(fcgi_param(&p, "REQUEST_URI"), "/s");
    CHECK_STR(fcgi_param(&p, "HTTP_LONG"), value);
    drive(&p, in + used, n - used, 0, log, sizeof log);
    CHECK_STR(log, "R(/s||0);");
    fcgi_parser_free(&p);
}

TEST(byte_by_byte_and_every_split)
{
    uint8_t in[512];
    size_t n = request(in, 1, "/one", "body bytes");
    char log[256];
    fcgi_parser_t p;

    fcgi_parser_init(&p);
    drive(&p, in, n, 1, log, sizeof log);
    CHECK_STR(log, "P;R(/one|body bytes|0);");
    fcgi_parser_free(&p);

    /* Two reads, cut at every possible position. */
    for (size_t cut = 1; cut < n; cut++) {
        char log2[256] = "";
        fcgi_parser_init(&p);
        drive(&p, in, cut, 0, log, sizeof log);
        snprintf(log2, sizeof log2, "%s", log);
        drive(&p, in + cut, n - cut, 0, log, sizeof log);
        strncat(log2, log, sizeof log2 - strlen(log2) - 1);
        CHECK_STR(log2, "P;R(/one|body bytes|0);");
        fcgi_parser_free(&p);
    }
}

TEST(two_requests_on_kept_alive_connection)
{
    uint8_t in[1024];
    size_t n = 0;
    n += request(in + n, 1, "/first", "abc");
    n += request(in + n, 1, "/second", "");   /* nginx reuses id 1 */
    char log[256];
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    drive(&p, in, n, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/first|abc|0);P;R(/second||0);");
    CHECK_INT(p.request_id, 0);   /* reset after the second */
    fcgi_parser_free(&p);

    fcgi_parser_init(&p);
    drive(&p, in, n, 3, log, sizeof log);
    CHECK_STR(log, "P;R(/first|abc|0);P;R(/second||0);");
    fcgi_parser_free(&p);
}

TEST(truncated_input_needs_more)
{
    uint8_t in[512];
    size_t n = request(in, 1, "/t", "zz"), used = 99;
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    /* Everything but the last byte: PARAMS_READY, then need more. */
    CHECK_INT(fcgi_feed(&p, in, n - 1, &used), FCGI_PARAMS_READY);
    size_t off = used;
    CHECK_INT(fcgi_feed(&p, in + off, n - 1 - off, &used), FCGI_NEED_MORE);
    CHECK_INT(off + used, n - 1);
    CHECK_INT(p.stdin_done, 0);
    CHECK_INT(fcgi_feed(&p, in + n - 1, 1, &used), FCGI_REQUEST_READY);
    CHECK_INT(used, 1);
    CHECK_STR(p.body, "zz");
    /* Nothing at all is fine too. */
    CHECK_INT(fcgi_feed(&p, in, 0, &used), FCGI_NEED_MORE);
    CHECK_INT(used, 0);
    fcgi_parser_free(&p);
}

TEST(lying_length_is_protocol_error)
{
    /* Value length 0x20 but only 3 bytes follow in the whole stream. */
    uint8_t in[128];
    size_t n = 0, used;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x20" "Kabc", 6, 2);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    CHECK_INT(p.params_done, 0);
    /* The error sticks: nothing more is consumed. */
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    CHECK_INT(used, 0);
    fcgi_parser_free(&p);

    /* A four-byte length cut short by the end of the stream. */
    n = 0;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x01kv\x80\x00", 6, 2);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);

    /* A four-byte length near 2^31. */
    n = 0;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\xff\xff\xff\xff\x01" "ab", 7, 1);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);
}

TEST(bad_version_is_protocol_error)
{
    uint8_t in[64];
    size_t n = begin(in, 1, FCGI_RESPONDER, 0), used;
    in[0] = 2;
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    CHECK_INT(used, 8);   /* found out at the end of the header */
    fcgi_parser_free(&p);
}

TEST(stream_order_errors)
{
    uint8_t in[256];
    size_t n = 0, used;
    fcgi_parser_t p;

    /* STDIN ends before PARAMS did. */
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);

    /* PARAMS after the end of PARAMS. */
    n = 0;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x01kv", 4, 4);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    CHECK_INT(fcgi_feed(&p, in + used, n - used, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);

    /* The active id begun again; BEGIN_REQUEST of the wrong size. */
    n = 0;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);
    n = rec(in, FCGI_BEGIN_REQUEST, 1, "\x00\x01\x00\x00", 4, 4);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);
}

TEST(params_too_large)
{
    uint8_t in[256];
    size_t n = 0, used;
    fcgi_parser_t p;
    CHECK_INT(FCGI_DEFAULT_PARAMS_LIMIT, 65536);

    /* 16 bytes in two records with a limit of 16: accepted. */
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x05" "A12345", 8, 0);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x05" "B12345", 8, 0);
    size_t at_limit = n;
    n += rec(in + n, FCGI_PARAMS, 1, "\x00\x00", 2, 6);   /* 18 > 16 */
    fcgi_parser_init(&p);
    p.params_limit = 16;
    CHECK_INT(fcgi_feed(&p, in, at_limit, &used), FCGI_NEED_MORE);
    CHECK_INT(p.params_len, 16);
    /* Refused on the header's length, before any content is stored. */
    CHECK_INT(fcgi_feed(&p, in + at_limit, 8, &used), FCGI_ERR_PARAMS_TOO_LARGE);
    CHECK_INT(p.params_len, 16);
    CHECK(p.params_cap <= 16);
    CHECK_INT(fcgi_feed(&p, in + at_limit, n - at_limit, &used), FCGI_ERR_PARAMS_TOO_LARGE);
    fcgi_parser_free(&p);
}

TEST(body_too_large_is_drained_for_413)
{
    uint8_t in[512];
    size_t n = 0;
    uint8_t params[64];
    size_t pl = pair(params, "REQUEST_URI", "/up");
    n += begin(in + n, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(in + n, FCGI_PARAMS, 1, params, pl, 0);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 1, "abc", 3, 5);
    n += rec(in + n, FCGI_STDIN, 1, "defgh", 5, 3);   /* 8 > 6 */
    n += rec(in + n, FCGI_STDIN, 1, "ij", 2, 6);      /* still dropped */
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);
    n += request(in + n, 1, "/next", "ok");           /* the connection goes on */

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(FCGI_DEFAULT_BODY_LIMIT, 1024 * 1024);
    p.body_limit = 6;
    char log[256];
    drive(&p, in, n, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/up||1);P;R(/next|ok|0);");
    CHECK(p.body_cap <= 7);   /* never held more than the limit + NUL */
    fcgi_parser_free(&p);

    /* Exactly the limit is fine; the body limit can be set on PARAMS_READY. */
    n = request(in, 1, "/x", "123456");
    fcgi_parser_init(&p);
    size_t used;
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    p.body_limit = 6;
    CHECK_INT(fcgi_feed(&p, in + used, n - used, &used), FCGI_REQUEST_READY);
    CHECK_INT(p.body_too_large, 0);
    CHECK_STR(p.body, "123456");
    fcgi_parser_free(&p);
}

/* ---- management records and refusals --------------------------------- */

TEST(get_values_reply_bytes)
{
    uint8_t in[256];
    uint8_t q[128];
    size_t ql = 0;
    ql += pair(q + ql, "FCGI_MAX_CONNS", "");
    ql += pair(q + ql, "FCGI_UNKNOWN_THING", "");
    ql += pair(q + ql, "FCGI_MPXS_CONNS", "");
    ql += pair(q + ql, "FCGI_MAX_CONNS", "");   /* asked twice, answered once */
    size_t n = rec(in, FCGI_GET_VALUES, 0, q, ql, 0), used;

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    p.max_conns = 64;
    p.max_reqs = 64;
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_NEED_MORE);
    CHECK_INT(used, n);
    /* 16 + 2 and 15 + 1 + 2 = 36 content bytes, padded with 4 zeros. */
    static const uint8_t want[] =
        "\x01\x0a\x00\x00\x00\x24\x04\x00"
        "\x0e\x02" "FCGI_MAX_CONNS" "64"
        "\x0f\x01" "FCGI_MPXS_CONNS" "0"
        "\x00\x00\x00\x00";
    CHECK_INT(p.out_len, sizeof want - 1);
    CHECK_MEM(p.out, want, sizeof want - 1);

    /* Only FCGI_MAX_REQS, sent one byte at a time, while a request runs. */
    p.out_len = 0;
    n = begin(in, 1, FCGI_RESPONDER, 0);
    ql = pair(q, "FCGI_MAX_REQS", "");
    n += rec(in + n, FCGI_GET_VALUES, 0, q, ql, 1);
    for (size_t i = 0; i < n; i++)
        CHECK_INT(fcgi_feed(&p, in + i, 1, &used), FCGI_NEED_MORE);
    static const uint8_t want2[] =
        "\x01\x0a\x00\x00\x00\x11\x07\x00"
        "\x0d\x02" "FCGI_MAX_REQS" "64"
        "\x00\x00\x00\x00\x00\x00\x00";
    CHECK_INT(p.out_len, sizeof want2 - 1);
    CHECK_MEM(p.out, want2, sizeof want2 - 1);
    CHECK_INT(p.request_id, 1);
    fcgi_parser_free(&p);
}

TEST(get_values_limits)
{
    static uint8_t in[8 + 5000];
    static uint8_t body[5000];
    size_t used;
    fcgi_parser_t p;

    /* More than FCGI_MGMT_LIMIT bytes of GET_VALUES. */
    memset(body, 0, sizeof body);
    size_t n = rec(in, FCGI_GET_VALUES, 0, body, FCGI_MGMT_LIMIT + 1, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    CHECK_INT(used, 8);
    fcgi_parser_free(&p);

    /* A lying length inside GET_VALUES; an empty GET_VALUES gets an empty reply. */
    n = rec(in, FCGI_GET_VALUES, 0, "\x0e\x00" "FCGI", 6, 2);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);
    n = rec(in, FCGI_GET_VALUES, 0, NULL, 0, 0);
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_NEED_MORE);
    CHECK_INT(p.out_len, 8);
    CHECK_MEM(p.out, "\x01\x0a\x00\x00\x00\x00\x00\x00", 8);
    fcgi_parser_free(&p);
}

TEST(unknown_type_reply)
{
    uint8_t in[128];
    size_t n = 0, used;
    n += rec(in + n, 42, 0, "abc", 3, 5);                 /* management, unknown */
    n += rec(in + n, FCGI_UNKNOWN_TYPE, 0, "\x2a", 1, 7);  /* a reply: not answered */
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, 0, 1, NULL, 0, 0);                   /* type 0 on a request id */
    n += rec(in + n, FCGI_STDOUT, 1, "x", 1, 7);           /* known, ignored */
    n += rec(in + n, FCGI_DATA, 1, "x", 1, 7);             /* filter role only: ignored */
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_NEED_MORE);
    CHECK_INT(used, n);
    static const uint8_t want[] =
        "\x01\x0b\x00\x00\x00\x08\x00\x00" "\x2a\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x0b\x00\x00\x00\x08\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x00";
    CHECK_INT(p.out_len, sizeof want - 1);
    CHECK_MEM(p.out, want, sizeof want - 1);
    CHECK_INT(p.request_id, 1);
    fcgi_parser_free(&p);
}

TEST(abort_request_ends_it)
{
    uint8_t in[512];
    size_t n = 0, used;
    n += begin(in + n, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(in + n, FCGI_PARAMS, 1, "\x01\x01kv", 4, 4);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    size_t abort_at = n;
    n += rec(in + n, FCGI_ABORT_REQUEST, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 1, "late", 4, 4);   /* id no longer active: ignored */
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);
    size_t next_at = n;
    n += request(in + n, 1, "/after", "");

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    CHECK_INT(used, abort_at);
    CHECK_INT(fcgi_feed(&p, in + abort_at, next_at - abort_at, &used), FCGI_NEED_MORE);
    CHECK_INT(p.aborted, 1);
    CHECK_INT(p.request_id, 0);
    CHECK_INT(p.params_done, 0);
    CHECK_INT(p.nparams, 0);
    static const uint8_t want[] =
        "\x01\x03\x00\x01\x00\x08\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x00";
    CHECK_INT(p.out_len, 16);
    CHECK_MEM(p.out, want, 16);

    /* The next request clears aborted and proceeds. */
    char log[128];
    drive(&p, in + next_at, n - next_at, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/after||0);");
    fcgi_parser_free(&p);
}

TEST(abort_after_request_ready_leaves_answer_to_caller)
{
    uint8_t in[512];
    size_t n = request(in, 1, "/slow", "b"), used;
    size_t abort_at = n;
    n += rec(in + n, FCGI_ABORT_REQUEST, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_ABORT_REQUEST, 7, NULL, 0, 0);   /* not active: ignored */
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    CHECK_INT(fcgi_feed(&p, in + used, n - used, &used), FCGI_REQUEST_READY);
    /* The caller is answering; meanwhile it keeps reading. */
    CHECK_INT(fcgi_feed(&p, in + abort_at, n - abort_at, &used), FCGI_NEED_MORE);
    CHECK_INT(p.aborted, 1);
    CHECK_INT(p.request_id, 1);   /* still the caller's until it resets */
    CHECK_STR(p.body, "b");
    CHECK_INT(p.out_len, 0);      /* its own END_REQUEST answers the abort */
    fcgi_parser_free(&p);
}

TEST(multiplex_refused)
{
    uint8_t in[512];
    size_t n = 0;
    uint8_t params[64];
    size_t pl = pair(params, "REQUEST_URI", "/m");
    n += begin(in + n, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += begin(in + n, 2, FCGI_RESPONDER, FCGI_KEEP_CONN);
    n += rec(in + n, FCGI_PARAMS, 2, "\x01\x01zz", 4, 4);   /* id 2: ignored */
    n += rec(in + n, FCGI_PARAMS, 2, NULL, 0, 0);
    n += rec(in + n, FCGI_PARAMS, 1, params, pl, 0);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 2, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);

    fcgi_parser_t p;
    fcgi_parser_init(&p);
    char log[128];
    drive(&p, in, n, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/m||0);");
    static const uint8_t want[] =
        "\x01\x03\x00\x02\x00\x08\x00\x00" "\x00\x00\x00\x00\x01\x00\x00\x00";
    CHECK_INT(p.out_len, 16);
    CHECK_MEM(p.out, want, 16);
    fcgi_parser_free(&p);
}

TEST(non_responder_role_refused)
{
    uint8_t in[512];
    size_t n = 0, used;
    n += begin(in + n, 3, 2 /* AUTHORIZER */, 0);
    n += rec(in + n, FCGI_PARAMS, 3, "\x01\x01kv", 4, 4);
    n += rec(in + n, FCGI_PARAMS, 3, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 3, NULL, 0, 0);
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_NEED_MORE);
    CHECK_INT(used, n);
    CHECK_INT(p.request_id, 0);
    static const uint8_t want[] =
        "\x01\x03\x00\x03\x00\x08\x00\x00" "\x00\x00\x00\x00\x03\x00\x00\x00";
    CHECK_INT(p.out_len, 16);
    CHECK_MEM(p.out, want, 16);
    /* A responder request afterwards is served. */
    char log[128];
    n = request(in, 4, "/ok", "");
    drive(&p, in, n, 0, log, sizeof log);
    CHECK_STR(log, "P;R(/ok||0);");
    fcgi_parser_free(&p);
}

TEST(records_while_caller_owns_request)
{
    /* After REQUEST_READY and before reset the request is still active: a
     * second id is refused, and more STDIN for it is a protocol error. */
    uint8_t in[512];
    size_t n = request(in, 1, "/busy", ""), used;
    size_t more = n;
    n += begin(in + n, 2, FCGI_RESPONDER, FCGI_KEEP_CONN);
    size_t stdin_at = n;
    n += rec(in + n, FCGI_STDIN, 1, "x", 1, 7);
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, more, &used), FCGI_PARAMS_READY);
    CHECK_INT(fcgi_feed(&p, in + used, more - used, &used), FCGI_REQUEST_READY);
    CHECK_INT(fcgi_feed(&p, in + more, stdin_at - more, &used), FCGI_NEED_MORE);
    CHECK_INT(p.out_len, 16);
    CHECK_MEM(p.out, "\x01\x03\x00\x02\x00\x08\x00\x00" "\x00\x00\x00\x00\x01\x00\x00\x00", 16);
    CHECK_INT(fcgi_feed(&p, in + stdin_at, n - stdin_at, &used), FCGI_ERR_PROTOCOL);
    fcgi_parser_free(&p);
}

TEST(early_stdin_held_to_lowered_limit)
{
    /* STDIN may come before PARAMS ends; if the caller lowers body_limit on
     * PARAMS_READY below what was already stored, the body is too large. */
    uint8_t in[256];
    size_t n = 0, used;
    n += begin(in + n, 1, FCGI_RESPONDER, 0);
    n += rec(in + n, FCGI_STDIN, 1, "0123456789", 10, 6);
    n += rec(in + n, FCGI_PARAMS, 1, NULL, 0, 0);
    n += rec(in + n, FCGI_STDIN, 1, NULL, 0, 0);
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_PARAMS_READY);
    CHECK_INT(p.body_len, 10);
    p.body_limit = 4;
    CHECK_INT(fcgi_feed(&p, in + used, n - used, &used), FCGI_REQUEST_READY);
    CHECK_INT(p.body_too_large, 1);
    CHECK_INT(p.body_len, 0);
    CHECK_STR(p.body, "");
    fcgi_parser_free(&p);
}

TEST(unread_replies_are_capped)
{
    /* A peer that keeps sending unknown management records and never
     * reads the replies: 16 reply bytes per 8 input bytes, refused once
     * more than FCGI_OUT_LIMIT bytes wait. Draining out avoids it. */
    static uint8_t in[8 * 8192];
    size_t n = 0, used;
    for (int i = 0; i < 8192; i++)
        n += rec(in + n, 99, 0, NULL, 0, 0);
    fcgi_parser_t p;
    fcgi_parser_init(&p);
    CHECK_INT(fcgi_feed(&p, in, n, &used), FCGI_ERR_PROTOCOL);
    CHECK(p.out_len <= FCGI_OUT_LIMIT + 16);
    CHECK(used < n);
    fcgi_parser_free(&p);

    fcgi_parser_init(&p);
    for (size_t off = 0; off < n; off += 512) {
        CHECK_INT(fcgi_feed(&p, in + off, 512, &used), FCGI_NEED_MORE);
        CHECK_INT(p.out_len, 1024);
        p.out_len = 0;
    }
    fcgi_parser_free(&p);
}

/* ---- responses ------------------------------------------------------------ */

TEST(build_response_small_exact_bytes)
{
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    const char *body = "Status: 200\r\n\r\nhi";   /* 17 bytes: 7 padding */
    CHECK_INT(fcgi_build_response(&buf, &len, &cap, 1, (const uint8_t *)body, 17, 0), 0);
    static const uint8_t want[] =
        "\x01\x06\x00\x01\x00\x11\x07\x00" "Status: 200\r\n\r\nhi" "\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x06\x00\x01\x00\x00\x00\x00"
        "\x01\x03\x00\x01\x00\x08\x00\x00" "\x00\x00\x00\x00\x00\x00\x00\x00";
    CHECK_INT(len, sizeof want - 1);
    CHECK_MEM(buf, want, sizeof want - 1);

    /* Empty data: only the stream end and END_REQUEST; appends; app status. */
    size_t before = len;
    CHECK_INT(fcgi_build_response(&buf, &len, &cap, 0x0102, NULL, 0, 0x01020304), 0);
    static const uint8_t want2[] =
        "\x01\x06\x01\x02\x00\x00\x00\x00"
        "\x01\x03\x01\x02\x00\x08\x00\x00" "\x01\x02\x03\x04\x00\x00\x00\x00";
    CHECK_INT(len - before, sizeof want2 - 1);
    CHECK_MEM(buf + before, want2, sizeof want2 - 1);
    free(buf);
}

TEST(build_response_splits_70000_bytes)
{
    static uint8_t data[70000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    CHECK_INT(fcgi_build_response(&buf, &len, &cap, 1, data, sizeof data, 0), 0);
    /* 65535 + 1 padding, then 4465 (0x1171) + 7 padding. */
    CHECK_INT(len, (8 + 65535 + 1) + (8 + 4465 + 7) + 8 + 16);
    CHECK_MEM(buf, "\x01\x06\x00\x01\xff\xff\x01\x00", 8);
    CHECK_MEM(buf + 8, data, 65535);
    CHECK_INT(buf[8 + 65535], 0);
    size_t r2 = 8 + 65535 + 1;
    CHECK_MEM(buf + r2, "\x01\x06\x00\x01\x11\x71\x07\x00", 8);
    CHECK_MEM(buf + r2 + 8, data + 65535, 4465);
    CHECK_MEM(buf + r2 + 8 + 4465, "\x00\x00\x00\x00\x00\x00\x00", 7);
    size_t r3 = r2 + 8 + 4465 + 7;
    CHECK_MEM(buf + r3, "\x01\x06\x00\x01\x00\x00\x00\x00", 8);
    CHECK_MEM(buf + r3 + 8, "\x01\x03\x00\x01\x00\x08\x00\x00" "\0\0\0\0\0\0\0\0", 16);
    /* Every record is a multiple of 8 long, so the whole is too. */
    CHECK_INT(len % 8, 0);
    free(buf);

    /* Exactly 65535 bytes: one data record, no empty data record after it. */
    buf = NULL; len = cap = 0;
    CHECK_INT(fcgi_build_response(&buf, &len, &cap, 1, data, 65535, 0), 0);
    CHECK_INT(len, (8 + 65535 + 1) + 8 + 16);
    free(buf);
}

TEST(response_parses_back_as_records)
{
    /* What we write is what a peer reading our records expects: walk the
     * headers of a 200000-byte response and rejoin the STDOUT stream. */
    static uint8_t data[200000], joined[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i >> 3);
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, pos = 0, jl = 0;
    int ended = 0, empty_stdout = 0;
    CHECK_INT(fcgi_build_response(&buf, &len, &cap, 9, data, sizeof data, 5), 0);
    while (pos + 8 <= len) {
        size_t clen = (size_t)buf[pos + 4] << 8 | buf[pos + 5], pad = buf[pos + 6];
        CHECK_INT((clen + pad) % 8, 0);
        CHECK_INT(buf[pos + 3], 9);
        if (buf[pos + 1] == FCGI_STDOUT) {
            if (clen == 0)
                empty_stdout = 1;
            else if (jl + clen <= sizeof joined)
                memcpy(joined + jl, buf + pos + 8, clen), jl += clen;
        } else if (buf[pos + 1] == FCGI_END_REQUEST) {
            ended = 1;
            CHECK_INT(buf[pos + 11], 5);
        }
        pos += 8 + clen + pad;
    }
    CHECK_INT(pos, len);
    CHECK_INT(jl, sizeof data);
    CHECK_MEM(joined, data, sizeof data);
    CHECK(ended && empty_stdout);
    free(buf);
}

int main(void)
{
    RUN(encode_pair_one_and_four_byte_lengths);
    RUN(simple_request_exact_bytes);
    RUN(four_byte_lengths_decoded);
    RUN(padding_is_skipped);
    RUN(pair_straddles_params_records);
    RUN(byte_by_byte_and_every_split);
    RUN(two_requests_on_kept_alive_connection);
    RUN(truncated_input_needs_more);
    RUN(lying_length_is_protocol_error);
    RUN(bad_version_is_protocol_error);
    RUN(stream_order_errors);
    RUN(params_too_large);
    RUN(body_too_large_is_drained_for_413);
    RUN(get_values_reply_bytes);
    RUN(get_values_limits);
    RUN(unknown_type_reply);
    RUN(abort_request_ends_it);
    RUN(abort_after_request_ready_leaves_answer_to_caller);
    RUN(multiplex_refused);
    RUN(non_responder_role_refused);
    RUN(records_while_caller_owns_request);
    RUN(early_stdin_held_to_lowered_limit);
    RUN(unread_replies_are_capped);
    RUN(build_response_small_exact_bytes);
    RUN(build_response_splits_70000_bytes);
    RUN(response_parses_back_as_records);
    return check_summary();
}
