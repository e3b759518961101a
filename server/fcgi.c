/* fcgi.c: the FastCGI protocol (responder role), as bytes in and bytes out.
 *
 * fcgi_feed() is a streaming parser: a read may end anywhere (inside a
 * header, a name-value length, the padding) and may hold several records,
 * from one request or from the next one on a kept-alive connection. All
 * state that must survive between reads lives in fcgi_parser_t.
 *
 * How each record is treated is decided once, when its 8-byte header is
 * complete (on_header sets rec_mode and reserves any memory the content
 * needs, so copying content can no longer fail); the content is then copied
 * or skipped as it arrives (on_content), and what the record means is acted
 * on once its padding has been skipped too (on_finish). Events are reported
 * only at record boundaries, so after PARAMS_READY / REQUEST_READY the rest
 * of the caller's buffer starts with a fresh record header.
 *
 * Who sends what (FastCGI 1.0):
 *   request id != 0: BEGIN_REQUEST, ABORT_REQUEST, PARAMS, STDIN are ours to
 *     handle; records for an id that is not the active request are ignored,
 *     as the specification says.
 *   request id == 0: management records. GET_VALUES is answered; the reply
 *     types (GET_VALUES_RESULT, UNKNOWN_TYPE) are ignored rather than
 *     answered, so two confused peers cannot bounce replies forever; any
 *     other type gets UNKNOWN_TYPE.
 *
 * Memory a peer can make us hold is capped: params_limit (joined PARAMS),
 * body_limit (STDIN; beyond it bytes are counted as dropped, not stored),
 * FCGI_MGMT_LIMIT (one GET_VALUES body), FCGI_OUT_LIMIT (replies the caller
 * has not written yet), and the decoded params[] array, which has at most
 * params_limit / 2 entries because a pair takes at least two bytes. */
#include "server/fcgi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the current record's content is for (fcgi_parser_t.rec_mode). */
enum {
    REC_SKIP = 0,       /* ignored: content and padding are skipped */
    REC_BEGIN,          /* BEGIN_REQUEST body collected into begin[] */
    REC_ABORT,          /* ABORT_REQUEST for the active request */
    REC_PARAMS,         /* PARAMS content appended to params_buf */
    REC_PARAMS_END,     /* the empty PARAMS record */
    REC_STDIN,          /* STDIN content appended to body */
    REC_STDIN_DROP,     /* STDIN content beyond body_limit: counted, not stored */
    REC_STDIN_END,      /* the empty STDIN record */
    REC_GET_VALUES      /* GET_VALUES body collected into mgmt */
};

#define FCGI_MAX_CONTENT 65535u  /* content length is a 16-bit field */

/* ---- growable buffers ------------------------------------------------ */

/* Make room for need bytes in buf (capacity *cap). Capacity doubles so that
 * appending is amortised O(1), but never beyond max when need <= max, so a
 * limit of L costs at most L bytes, not 2L. Returns the (possibly moved)
 * buffer, or NULL when out of memory, leaving buf and *cap unchanged. */
static void *grow(void *buf, size_t *cap, size_t need, size_t max)
{
    if (need <= *cap && buf)
        return buf;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (ncap > max && max >= need)
        ncap = max;
    void *nb = realloc(buf, ncap);
    if (!nb)
        return NULL;
    *cap = ncap;
    return nb;
}

/* Append one record (header, content, zero padding to a multiple of 8, as
 * the specification recommends) to a growable buffer. clen <= 65535.
 * Returns 0, or -1 when out of memory. */
static int put_record(uint8_t **buf, size_t *len, size_t *cap, uint8_t type,
                      uint16_t id, const void *content, size_t clen)
{
    size_t pad = (8 - clen % 8) % 8;
    size_t total = FCGI_HEADER_LEN + clen + pad;
    if (total > SIZE_MAX - *len)
        return -1;
    uint8_t *b = grow(*buf, cap, *len + total, SIZE_MAX);
    if (!b)
        return -1;
    *buf = b;
    uint8_t *h = b + *len;
    h[0] = FCGI_VERSION_1;
    h[1] = type;
    h[2] = (uint8_t)(id >> 8);
    h[3] = (uint8_t)id;
    h[4] = (uint8_t)(clen >> 8);
    h[5] = (uint8_t)clen;
    h[6] = (uint8_t)pad;
    h[7] = 0;
    if (clen)
        memcpy(h + FCGI_HEADER_LEN, content, clen);
    memset(h + FCGI_HEADER_LEN + clen, 0, pad);
    *len += total;
    return 0;
}

static void end_request_body(uint8_t body[8], uint32_t app_status, uint8_t protocol_status)
{
    body[0] = (uint8_t)(app_status >> 24);
    body[1] = (uint8_t)(app_status >> 16);
    body[2] = (uint8_t)(app_status >> 8);
    body[3] = (uint8_t)app_status;
    body[4] = protocol_status;
    body[5] = body[6] = body[7] = 0;
}

int fcgi_encode_pair(uint8_t **buf, size_t *len, size_t *cap,
                     const char *name, size_t nlen, const char *value, size_t vlen)
{
    /* A four-byte length carries 31 bits. */
    if (nlen > 0x7fffffffu || vlen > 0x7fffffffu)
        return -1;
    size_t hl = (nlen > 127 ? 4 : 1) + (vlen > 127 ? 4 : 1);
    if (nlen + vlen > SIZE_MAX - hl - *len)
        return -1;
    uint8_t *b = grow(*buf, cap, *len + hl + nlen + vlen, SIZE_MAX);
    if (!b)
        return -1;
    *buf = b;
    uint8_t *w = b + *len;
    const size_t lens[2] = { nlen, vlen };
    for (int k = 0; k < 2; k++) {
        size_t l = lens[k];
        if (l > 127) {
            *w++ = (uint8_t)((l >> 24) | 0x80);
            *w++ = (uint8_t)(l >> 16);
            *w++ = (uint8_t)(l >> 8);
        }
        *w++ = (uint8_t)l;
    }
    if (nlen)
        memcpy(w, name, nlen);
    if (vlen)
        memcpy(w + nlen, value, vlen);
    *len += hl + nlen + vlen;
    return 0;
}

int fcgi_build_response(uint8_t **buf, size_t *len, size_t *cap, uint16_t id,
                        const uint8_t *data, size_t data_len, uint32_t app_status)
{
    /* Reserve everything up front, one allocation instead of one per
     * record: at most data_len / 65535 + 1 STDOUT records with data, each
     * with a header and up to 7 padding bytes, then the empty STDOUT record
     * and END_REQUEST (header + 8). */
    size_t nrec = data_len / FCGI_MAX_CONTENT + 1;
    size_t overhead = nrec * (FCGI_HEADER_LEN + 7) + FCGI_HEADER_LEN + FCGI_HEADER_LEN + 8;
    if (data_len > SIZE_MAX - overhead || data_len + overhead > SIZE_MAX - *len)
        return -1;
    uint8_t *b = grow(*buf, cap, *len + data_len + overhead, SIZE_MAX);
    if (!b)
        return -1;
    *buf = b;

    /* With the room reserved the appends cannot fail; should one, no half
     * response is left behind. */
    size_t start = *len, off = 0;
    while (off < data_len) {
        size_t n = data_len - off;
        if (n > FCGI_MAX_CONTENT)
            n = FCGI_MAX_CONTENT;
        if (put_record(buf, len, cap, FCGI_STDOUT, id, data + off, n) < 0)
            goto fail;
        off += n;
    }
    uint8_t end[8];
    end_request_body(end, app_status, FCGI_REQUEST_COMPLETE);
    if (put_record(buf, len, cap, FCGI_STDOUT, id, NULL, 0) < 0
        || put_record(buf, len, cap, FCGI_END_REQUEST, id, end, sizeof end) < 0)
        goto fail;
    return 0;
fail:
    *len = start;
    return -1;
}

/* ---- replies the parser queues in p->out ----------------------------- */

/* Queue a record for the peer. The cap makes a peer that floods us with
 * management records but never reads the replies a protocol error rather
 * than a memory sink. Returns 0 or FCGI_ERR_PROTOCOL. */
static int queue(fcgi_parser_t *p, uint8_t type, uint16_t id, const void *content, size_t clen)
{
    if (p->out_len > FCGI_OUT_LIMIT)
        return FCGI_ERR_PROTOCOL;
    if (put_record(&p->out, &p->out_len, &p->out_cap, type, id, content, clen) < 0)
        return FCGI_ERR_PROTOCOL;
    return 0;
}

static int queue_end_request(fcgi_parser_t *p, uint16_t id, uint8_t protocol_status)
{
    uint8_t body[8];
    end_request_body(body, 0, protocol_status);
    return queue(p, FCGI_END_REQUEST, id, body, sizeof body);
}

/* UNKNOWN_TYPE is a management record, so it goes out on request id 0
 * whatever id the unknown record carried. */
static int queue_unknown_type(fcgi_parser_t *p, uint8_t type)
{
    uint8_t body[8] = { type, 0, 0, 0, 0, 0, 0, 0 };
    return queue(p, FCGI_UNKNOWN_TYPE, 0, body, sizeof body);
}

/* ---- name-value pairs ------------------------------------------------ */

/* Read one length at b[*pos]: one byte when its high bit is clear, else
 * four bytes big-endian with that bit masked off. Returns 0, or -1 when the
 * length itself runs past len. */
static int read_len(const uint8_t *b, size_t len, size_t *pos, size_t *out)
{
    if (*pos >= len)
        return -1;
    if (!(b[*pos] & 0x80)) {
        *out = b[(*pos)++];
        return 0;
    }
    if (len - *pos < 4)
        return -1;
    *out = ((size_t)(b[*pos] & 0x7f) << 24) | ((size_t)b[*pos + 1] << 16)
         | ((size_t)b[*pos + 2] << 8) | (size_t)b[*pos + 3];
    *pos += 4;
    return 0;
}

/* Read the lengths of the pair starting at *pos and check that the name and
 * value both lie inside the len bytes. On success *pos is the start of the
 * name (the value follows it) and 0 is returned; -1 for a lying length. */
static int read_pair(const uint8_t *b, size_t len, size_t *pos, size_t *nlen, size_t *vlen)
{
    if (read_len(b, len, pos, nlen) < 0 || read_len(b, len, pos, vlen) < 0)
        return -1;
    size_t left = len - *pos;
    if (*nlen > left || *vlen > left - *nlen)
        return -1;
    return 0;
}

/* Decode the joined PARAMS stream into params[]. Returns 0, or
 * FCGI_ERR_PROTOCOL for a pair whose lengths run past the stream.
 *
 * The pairs are rewritten in place as "name\0value\0" so params[] can point
 * into params_buf without a second buffer. That is safe because a pair
 * shrinks or keeps its size (two or more length bytes become exactly two
 * NULs), so the write position never passes the read position, and the
 * lengths of each pair are read before anything of it is moved. */
static int decode_params(fcgi_parser_t *p)
{
    const uint8_t *b = (const uint8_t *)p->params_buf;
    size_t len = p->params_len, pos = 0, n = 0, nlen, vlen;

    /* Pass 1: validate every pair and count them, before touching anything. */
    while (pos < len) {
        if (read_pair(b, len, &pos, &nlen, &vlen) < 0)
            return FCGI_ERR_PROTOCOL;
        pos += nlen + vlen;
        n++;
    }
    if (n) {
        fcgi_param_t *np = realloc(p->params, n * sizeof *np);
        if (!np)
            return FCGI_ERR_PROTOCOL;
        p->params = np;
    }

    /* Pass 2: compact in place (see above). */
    char *buf = p->params_buf;
    size_t w = 0, k = 0;
    pos = 0;
    while (pos < len) {
        read_pair(b, len, &pos, &nlen, &vlen);   /* cannot fail: pass 1 checked */
        memmove(buf + w, buf + pos, nlen);
        buf[w + nlen] = '\0';
        memmove(buf + w + nlen + 1, buf + pos + nlen, vlen);
        buf[w + nlen + 1 + vlen] = '\0';
        p->params[k].name = buf + w;
        p->params[k].value = buf + w + nlen + 1;
        p->params[k].name_len = (uint32_t)nlen;   /* < params_limit: fits */
        p->params[k].value_len = (uint32_t)vlen;
        k++;
        pos += nlen + vlen;
        w += nlen + vlen + 2;
    }
    p->nparams = n;
    return 0;
}

const char *fcgi_param(const fcgi_parser_t *p, const char *name)
{
    size_t nlen = strlen(name);
    /* Compare lengths as well: a name with an embedded NUL must not match
     * its prefix. The first of duplicate names wins. */
    for (size_t i = 0; i < p->nparams; i++)
        if (p->params[i].name_len == nlen && memcmp(p->params[i].name, name, nlen) == 0)
            return p->params[i].value;
    return NULL;
}

/* Answer GET_VALUES with the variables asked for that we know, each once,
 * in the order asked. The values of the asked pairs are ignored (they are
 * empty by specification). Returns 0 or FCGI_ERR_PROTOCOL. */
static int answer_get_values(fcgi_parser_t *p)
{
    static const char *const names[3] = { "FCGI_MAX_CONNS", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS" };
    char values[3][16];
    snprintf(values[0], sizeof values[0], "%u", (unsigned)p->max_conns);
    snprintf(values[1], sizeof values[1], "%u", (unsigned)p->max_reqs);
    snprintf(values[2], sizeof values[2], "0");   /* one request per connection */

    /* Three short pairs: the reply is far below one record's 65535 bytes. */
    uint8_t *body = NULL;
    size_t blen = 0, bcap = 0, pos = 0, nlen, vlen;
    int answered[3] = { 0, 0, 0 }, rc = 0;
    const uint8_t *b = (const uint8_t *)p->mgmt;
    while (pos < p->mgmt_len) {
        if (read_pair(b, p->mgmt_len, &pos, &nlen, &vlen) < 0) {
            rc = FCGI_ERR_PROTOCOL;
            goto out;
        }
        for (int i = 0; i < 3; i++) {
            if (answered[i] || nlen != strlen(names[i]) || memcmp(b + pos, names[i], nlen) != 0)
                continue;
            answered[i] = 1;
            if (fcgi_encode_pair(&body, &blen, &bcap, names[i], nlen,
                                 values[i], strlen(values[i])) < 0) {
                rc = FCGI_ERR_PROTOCOL;
                goto out;
            }
        }
        pos += nlen + vlen;
    }
    rc = queue(p, FCGI_GET_VALUES_RESULT, 0, body, blen);
out:
    free(body);
    return rc;
}

/* ---- the parser ------------------------------------------------------ */

void fcgi_parser_init(fcgi_parser_t *p)
{
    memset(p, 0, sizeof *p);
    p->params_limit = FCGI_DEFAULT_PARAMS_LIMIT;
    p->body_limit = FCGI_DEFAULT_BODY_LIMIT;
    p->max_conns = 1;
    p->max_reqs = 1;
}

void fcgi_parser_free(fcgi_parser_t *p)
{
    free(p->params_buf);
    free(p->params);
    free(p->body);
    free(p->mgmt);
    free(p->out);
    fcgi_parser_init(p);
}

/* Leaves the limits alone: a caller that changes body_limit on
 * PARAMS_READY must set it again for every request. Leaves the record
 * reassembly state alone too, so it may be called between any two feeds. */
void fcgi_parser_reset_request(fcgi_parser_t *p)
{
    p->request_id = 0;
    p->keep_conn = 0;
    p->params_done = p->stdin_done = 0;
    p->body_too_large = 0;
    p->aborted = 0;
    p->params_len = 0;
    p->nparams = 0;
    p->body_len = 0;
    if (p->body)
        p->body[0] = '\0';
}

/* The STDIN stream went past body_limit: forget what was stored so nobody
 * mistakes a truncated body for the request's body. */
static void drop_body(fcgi_parser_t *p)
{
    p->body_too_large = 1;
    p->body_len = 0;
    if (p->body)
        p->body[0] = '\0';
}

/* A management record (request id 0). Returns 0 or an FCGI_ERR_* code. */
static int on_management_header(fcgi_parser_t *p, size_t clen)
{
    switch (p->type) {
    case FCGI_GET_VALUES: {
        if (clen > FCGI_MGMT_LIMIT)
            return FCGI_ERR_PROTOCOL;
        char *m = grow(p->mgmt, &p->mgmt_cap, clen ? clen : 1, FCGI_MGMT_LIMIT);
        if (!m)
            return FCGI_ERR_PROTOCOL;
        p->mgmt = m;
        p->mgmt_len = 0;
        p->rec_mode = REC_GET_VALUES;
        return 0;
    }
    case FCGI_GET_VALUES_RESULT:
    case FCGI_UNKNOWN_TYPE:
        return 0;   /* replies: never answered (see top of file) */
    default:
        return queue_unknown_type(p, p->type);
    }
}

/* A PARAMS record of the active request. */
static int on_params_header(fcgi_parser_t *p, size_t clen)
{
    if (p->params_done)
        return FCGI_ERR_PROTOCOL;   /* PARAMS after its end */
    if (clen == 0) {
        p->rec_mode = REC_PARAMS_END;
        return 0;
    }
    /* Refuse on the announced length, before storing any of it. The first
     * test guards a caller that lowered params_limit mid-stream. */
    if (p->params_len > p->params_limit || clen > p->params_limit - p->params_len)
        return FCGI_ERR_PARAMS_TOO_LARGE;
    char *pb = grow(p->params_buf, &p->params_cap, p->params_len + clen, p->params_limit);
    if (!pb)
        return FCGI_ERR_PROTOCOL;
    p->params_buf = pb;
    p->rec_mode = REC_PARAMS;
    return 0;
}

/* A STDIN record of the active request. */
static int on_stdin_header(fcgi_parser_t *p, size_t clen)
{
    if (p->stdin_done)
        return FCGI_ERR_PROTOCOL;   /* STDIN after its end */
    if (clen == 0) {
        if (!p->params_done)
            return FCGI_ERR_PROTOCOL;   /* STDIN ended before PARAMS */
        p->rec_mode = REC_STDIN_END;
        return 0;
    }
    /* STDIN data before the end of PARAMS is accepted (the specification
     * does not order the streams); it is held to the body_limit in force
     * when it arrives. */
    if (p->body_too_large || p->body_len > p->body_limit || clen > p->body_limit - p->body_len) {
        drop_body(p);
        p->rec_mode = REC_STDIN_DROP;
        return 0;
    }
    /* +1 for the NUL; body_len + clen <= body_limit here. */
    size_t max = p->body_limit < SIZE_MAX ? p->body_limit + 1 : SIZE_MAX;
    char *bb = grow(p->body, &p->body_cap, p->body_len + clen + 1, max);
    if (!bb)
        return FCGI_ERR_PROTOCOL;
    p->body = bb;
    p->rec_mode = REC_STDIN;
    return 0;
}

/* A record header is complete: check it and decide what its content is for.
 * Returns 0 or an FCGI_ERR_* code. */
static int on_header(fcgi_parser_t *p)
{
    const uint8_t *h = p->hdr;
    if (h[0] != FCGI_VERSION_1)
        return FCGI_ERR_PROTOCOL;
    p->type = h[1];
    p->rec_id = (uint16_t)(h[2] << 8 | h[3]);
    p->content_left = (size_t)h[4] << 8 | h[5];
    p->padding_left = h[6];
    p->rec_mode = REC_SKIP;
    size_t clen = p->content_left;
    if (p->rec_id == 0)
        return on_management_header(p, clen);

    int active = p->request_id != 0 && p->rec_id == p->request_id;
    switch (p->type) {
    case FCGI_BEGIN_REQUEST:
        if (clen != 8 || active)
            return FCGI_ERR_PROTOCOL;   /* a wrong length, or the same id begun twice */
        p->begin_have = 0;
        p->rec_mode = REC_BEGIN;
        return 0;
    case FCGI_ABORT_REQUEST:
        if (active)
            p->rec_mode = REC_ABORT;
        return 0;
    case FCGI_PARAMS:
        return active ? on_params_header(p, clen) : 0;
    case FCGI_STDIN:
        return active ? on_stdin_header(p, clen) : 0;
    case FCGI_END_REQUEST:
    case FCGI_STDOUT:
    case FCGI_STDERR:
    case FCGI_DATA:
    case FCGI_GET_VALUES:
    case FCGI_GET_VALUES_RESULT:
    case FCGI_UNKNOWN_TYPE:
        /* Known types a responder never acts on with a request id: the
         * application's own record types, DATA (filter role only), and
         * management types sent on the wrong id. */
        return 0;
    default:
        return queue_unknown_type(p, p->type);
    }
}

/* n bytes of the current record's content (room was reserved by on_header). */
static void on_content(fcgi_parser_t *p, const uint8_t *d, size_t n)
{
    switch (p->rec_mode) {
    case REC_BEGIN:
        memcpy(p->begin + p->begin_have, d, n);   /* content length is exactly 8 */
        p->begin_have += n;
        break;
    case REC_PARAMS:
        memcpy(p->params_buf + p->params_len, d, n);
        p->params_len += n;
        break;
    case REC_STDIN:
        memcpy(p->body + p->body_len, d, n);
        p->body_len += n;
        p->body[p->body_len] = '\0';
        break;
    case REC_GET_VALUES:
        memcpy(p->mgmt + p->mgmt_len, d, n);
        p->mgmt_len += n;
        break;
    default:
        break;   /* skipped or dropped */
    }
}

/* The whole record (content and padding) is in: act on it. Returns 0, an
 * event (PARAMS_READY, REQUEST_READY), or an FCGI_ERR_* code. */
static int on_finish(fcgi_parser_t *p)
{
    switch (p->rec_mode) {
    case REC_BEGIN: {
        unsigned role = (unsigned)p->begin[0] << 8 | p->begin[1];
        /* One request at a time: a second id is refused, not queued. The
         * refused id never becomes active, so its records are ignored. */
        if (p->request_id != 0)
            return queue_end_request(p, p->rec_id, FCGI_CANT_MPX_CONN);
        if (role != FCGI_RESPONDER)
            return queue_end_request(p, p->rec_id, FCGI_UNKNOWN_ROLE);
        p->request_id = p->rec_id;
        p->keep_conn = (p->begin[2] & FCGI_KEEP_CONN) != 0;
        p->aborted = 0;
        return 0;
    }

    case REC_ABORT:
        if (p->stdin_done) {
            /* REQUEST_READY was reported: the caller owns the request and
             * its response ends it with END_REQUEST, which is the answer
             * the abort wants. Only tell the caller it may stop early. */
            p->aborted = 1;
            return 0;
        } else {
            /* The request never reached the caller as complete: end it
             * here and forget it. aborted stays set (until the next request
             * begins or reset) so the caller can drop whatever it kept
             * from PARAMS_READY; later records of this id are ignored. */
            uint16_t id = p->request_id;
            fcgi_parser_reset_request(p);
            p->aborted = 1;
            return queue_end_request(p, id, FCGI_REQUEST_COMPLETE);
        }

    case REC_PARAMS_END: {
        int rc = decode_params(p);
        if (rc < 0)
            return rc;
        p->params_done = 1;
        return FCGI_PARAMS_READY;
    }

    case REC_STDIN_END:
        /* STDIN that came before PARAMS ended was held to the limit of that
         * time; a caller may have lowered body_limit on PARAMS_READY since. */
        if (p->body_len > p->body_limit)
            drop_body(p);
        /* body is a string even when no STDIN byte came. */
        if (!p->body) {
            char *bb = grow(p->body, &p->body_cap, 1, 1);
            if (!bb)
                return FCGI_ERR_PROTOCOL;
            p->body = bb;
            p->body[0] = '\0';
        }
        p->stdin_done = 1;
        return FCGI_REQUEST_READY;

    case REC_GET_VALUES:
        return answer_get_values(p);

    default:
        return 0;
    }
}

int fcgi_feed(fcgi_parser_t *p, const uint8_t *data, size_t len, size_t *consumed)
{
    size_t i = 0;
    int rc = 0;

    /* After an error the stream is out of step; the caller drops it. */
    if (p->error) {
        *consumed = 0;
        return p->error;
    }

    for (;;) {
        if (p->hdr_have < FCGI_HEADER_LEN) {
            if (i == len)
                break;
            size_t n = FCGI_HEADER_LEN - p->hdr_have;
            if (n > len - i)
                n = len - i;
            memcpy(p->hdr + p->hdr_have, data + i, n);
            p->hdr_have += n;
            i += n;
            if (p->hdr_have < FCGI_HEADER_LEN)
                break;
            if ((rc = on_header(p)) < 0)
                goto fail;
        } else if (p->content_left) {
            if (i == len)
                break;
            size_t n = p->content_left < len - i ? p->content_left : len - i;
            on_content(p, data + i, n);
            p->content_left -= n;
            i += n;
        } else {   /* padding_left > 0: records are finished below */
            if (i == len)
                break;
            size_t n = p->padding_left < len - i ? p->padding_left : len - i;
            p->padding_left -= n;
            i += n;
        }

        /* Checked after every step, so an empty unpadded record finishes
         * as soon as its header is in, even at the end of the input. */
        if (p->content_left == 0 && p->padding_left == 0) {
            p->hdr_have = 0;
            rc = on_finish(p);
            if (rc < 0)
                goto fail;
            if (rc > 0) {
                *consumed = i;
                return rc;
            }
        }
    }
    *consumed = i;
    return FCGI_NEED_MORE;

fail:
    p->error = rc;
    *consumed = i;
    return rc;
}
