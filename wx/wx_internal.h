/* wx_internal.h: the transport (wx_http.c) under wx_client.c and wx_token.c. Not for
 * handlers. */
#ifndef WX_INTERNAL_H
#define WX_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "wx/wx_client.h"

typedef struct {
    long http_status;
    unsigned char *body;  /* NUL-terminated, malloc'd */
    size_t len;
    json_t *json;         /* the body parsed, when it is a JSON object */
    int errcode;          /* json's errcode, 0 when absent or no json */
} wx_resp_t;

enum {
    WX_REQ_ONCE = 1,      /* the request uses something up: never resend it */
    WX_REQ_JSON = 2,      /* anything but a JSON object is a failure */
};

/* One WeChat call with the retry policy of wx_client.h. path starts with
 * '/'; query (may be NULL) follows '?' and may hold secrets: it is never
 * logged. body non-NULL: POST it as JSON, else GET. cap: largest body
 * accepted. Returns 0 when WeChat answered (r filled: errcode may be
 * non-zero, including a final -1), or -1 with err = 503 wechat_unavailable
 * (transport failure, timeout, oversized or malformed reply, HTTP error
 * without an errcode). r is always safe to pass to wx_resp_free. */
int wx_request(wx_client_t *c, const char *path, const char *query, const char *body,
               int flags, size_t cap, wx_resp_t *r, wx_err_t *err);
void wx_resp_free(wx_resp_t *r);

void wx_err_set(wx_err_t *err, int http_status, const char *code, const char *message,
                int retry_after_s, int wx_errcode);
/* 503 wechat_unavailable, Retry-After 1. */
void wx_err_unavailable(wx_err_t *err, int wx_errcode);
/* curl_easy_escape with the client's handle; NULL on failure; curl_free it. */
char *wx_escape(wx_client_t *c, const char *s);
/* A random hex string of 2*nbytes chars into out (size > 2*nbytes). */
void wx_random_hex(char *out, size_t nbytes);

#endif
