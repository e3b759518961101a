/* fcgi.h: the FastCGI protocol (responder role), as bytes in and bytes out.
 *
 * No sockets here: the connection loop feeds whatever it read into
 * fcgi_feed() and acts on what it returns; management replies the parser
 * must send (GET_VALUES_RESULT, UNKNOWN_TYPE, END_REQUEST for a refused
 * request) accumulate in parser->out for the caller to write.
 *
 * Return codes follow the project's convention: >= 0 is success, < 0 failure. */
#ifndef FCGI_H
#define FCGI_H

#include <stddef.h>
#include <stdint.h>

/* Wire constants (FastCGI 1.0 specification). */
#define FCGI_VERSION_1           1
#define FCGI_HEADER_LEN          8
#define FCGI_BEGIN_REQUEST       1
#define FCGI_ABORT_REQUEST       2
#define FCGI_END_REQUEST         3
#define FCGI_PARAMS              4
#define FCGI_STDIN               5
#define FCGI_STDOUT              6
#define FCGI_STDERR              7
#define FCGI_DATA                8
#define FCGI_GET_VALUES          9
#define FCGI_GET_VALUES_RESULT  10
#define FCGI_UNKNOWN_TYPE       11
#define FCGI_RESPONDER           1
#define FCGI_KEEP_CONN           1
#define FCGI_REQUEST_COMPLETE    0
#define FCGI_CANT_MPX_CONN       1
#define FCGI_OVERLOADED          2
#define FCGI_UNKNOWN_ROLE        3

/* Limits. The first two are the defaults fcgi_parser_init() puts in the
 * parser; the last two are fixed caps on what a peer can make us hold. */
#define FCGI_DEFAULT_PARAMS_LIMIT (64u * 1024)   /* PARAMS bytes of one request */
#define FCGI_DEFAULT_BODY_LIMIT   (1024u * 1024) /* STDIN bytes of one request */
#define FCGI_MGMT_LIMIT           4096u          /* GET_VALUES record body */
#define FCGI_OUT_LIMIT            (64u * 1024)   /* unwritten replies in parser->out */

/* The 8-byte record header, spelled as bytes as the specification does. */
typedef struct {
    uint8_t version;
    uint8_t type;
    uint8_t request_id_b1;
    uint8_t request_id_b0;
    uint8_t content_length_b1;
    uint8_t content_length_b0;
    uint8_t padding_length;
    uint8_t reserved;
} fcgi_header_t;
_Static_assert(sizeof(fcgi_header_t) == FCGI_HEADER_LEN, "FastCGI header is 8 bytes");

typedef struct {
    const char *name;   /* NUL-terminated, points into parser->params_buf */
    const char *value;  /* NUL-terminated, points into parser->params_buf */
    uint32_t name_len, value_len;
} fcgi_param_t;

/* What fcgi_feed() reports. */
enum {
    FCGI_NEED_MORE      = 0,  /* all input consumed; feed more bytes */
    FCGI_PARAMS_READY   = 1,  /* PARAMS stream ended: params[] valid; caller may set body_limit */
    FCGI_REQUEST_READY  = 2,  /* STDIN ended too: the request is complete */
    FCGI_ERR_PROTOCOL   = -1, /* bad version, lying length, stream out of order: drop the connection */
    FCGI_ERR_PARAMS_TOO_LARGE = -2 /* PARAMS beyond params_limit: caller replies 431/400 and drops */
};

typedef struct {
    /* limits, set by the caller before feeding (defaults from fcgi_parser_init) */
    size_t params_limit;        /* total PARAMS bytes of one request */
    size_t body_limit;          /* STDIN bytes; may be changed on FCGI_PARAMS_READY */
    uint32_t max_conns, max_reqs; /* advertised in GET_VALUES_RESULT */

    /* the current request */
    uint16_t request_id;        /* 0 when no request is active */
    int keep_conn;              /* BEGIN_REQUEST had FCGI_KEEP_CONN */
    int params_done, stdin_done;
    int body_too_large;         /* STDIN went beyond body_limit: the rest was discarded */
    int aborted;                /* ABORT_REQUEST arrived for the active request: if
                                 * REQUEST_READY was not yet reported, the parser
                                 * queued END_REQUEST(0, REQUEST_COMPLETE) in out and
                                 * reset the request (aborted stays 1 until the next
                                 * BEGIN_REQUEST); after REQUEST_READY it only sets
                                 * this flag, the caller's response ends the request */
    char *params_buf; size_t params_len, params_cap;   /* joined PARAMS stream */
    fcgi_param_t *params; size_t nparams;              /* decoded on PARAMS end */
    char *body; size_t body_len, body_cap;             /* joined STDIN stream, NUL-terminated */

    /* record reassembly across reads */
    uint8_t hdr[FCGI_HEADER_LEN]; size_t hdr_have;
    uint8_t type; uint16_t rec_id;
    uint8_t rec_mode;                       /* what to do with this record's content (fcgi.c) */
    size_t content_left, padding_left;
    uint8_t begin[8]; size_t begin_have;    /* BEGIN_REQUEST body */
    char *mgmt; size_t mgmt_len, mgmt_cap;  /* GET_VALUES body being collected */

    /* bytes the caller must write to the peer (management replies, refusals);
     * the caller writes them and sets out_len = 0. Only the parser's replies
     * belong here: responses go in the caller's own buffer. */
    uint8_t *out; size_t out_len, out_cap;

    int error;                  /* sticky: the first error fcgi_feed returned, 0 if none */
} fcgi_parser_t;

void fcgi_parser_init(fcgi_parser_t *p);
void fcgi_parser_free(fcgi_parser_t *p);
/* Forget the finished request (keeps buffers for reuse) so the next one on a
 * kept-alive connection can be parsed. */
void fcgi_parser_reset_request(fcgi_parser_t *p);

/* Feed len bytes. Sets *consumed to how many were used (stops right after a
 * PARAMS_READY or REQUEST_READY event so the caller can act; call again with
 * the rest). Returns one of the enum values above. Out of memory, and more
 * than FCGI_OUT_LIMIT unwritten bytes in out, are FCGI_ERR_PROTOCOL. Errors
 * are sticky: later calls return the same code and consume nothing. */
int fcgi_feed(fcgi_parser_t *p, const uint8_t *data, size_t len, size_t *consumed);

/* The value of a param of the current request, or NULL. */
const char *fcgi_param(const fcgi_parser_t *p, const char *name);

/* Append to *buf a complete response for request id: data as STDOUT records
 * (split at 65535 bytes, padded to a multiple of 8), the empty STDOUT record
 * and END_REQUEST(app_status, REQUEST_COMPLETE). Returns 0, or -1 when out of
 * memory. buf/len/cap form a growable byte buffer (realloc). */
int fcgi_build_response(uint8_t **buf, size_t *len, size_t *cap, uint16_t id,
                        const uint8_t *data, size_t data_len, uint32_t app_status);

/* Encode one name-value pair (1- or 4-byte lengths) onto a growable buffer;
 * used by tests and by GET_VALUES_RESULT. */
int fcgi_encode_pair(uint8_t **buf, size_t *len, size_t *cap,
                     const char *name, size_t nlen, const char *value, size_t vlen);

#endif
