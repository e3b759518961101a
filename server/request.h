/* request.h: one HTTP request as a handler sees it, and the reply it builds.
 *
 * Handlers read with req_query()/req_json()/req_param() and answer with
 * exactly one reply_*() call; a handler returns a status (status.h): ST_OK
 * or ST_REPLIED when it replied, a failure otherwise, which the dispatcher
 * turns into the reply in one place (reply_status: 503 for a store that is
 * down, else 500 — never leaking the cause). */
#ifndef REQUEST_H
#define REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "server/arena.h"
#include "server/db.h"
#include "server/kv.h"
#include "server/status.h"

typedef struct req req_t;
typedef struct worker worker_t;

/* Who is calling, as far as server/ knows: opaque roles, the principal
 * and the token. What else the application knows of the caller hangs on
 * app, in its own type (for the contest: engines/accounts' caller_t, read
 * with session_caller()). g_auth_resolve fills all of it; a failed
 * resolution leaves it zero. */
typedef struct {
    int roles;                 /* R_ROLES bits (router.h); 0: not logged in */
    long long user_id;         /* the principal: the user the token belongs to, or 0 */
    char token_hash[65];       /* sha256 hex of the bearer token */
    void *app;                 /* the application's own record of the caller, or NULL */
} auth_t;

struct req {
    arena_t *arena;
    worker_t *worker;
    const struct route *route;
    const char *method;
    const char *path;          /* without the query string, not decoded */
    const char *query;         /* "" when none */
    const char *remote_addr;
    const char *request_id;
    const char *authorization; /* raw header or NULL */
    const char *if_none_match; /* raw If-None-Match header or NULL (conditional reads) */
    const char *content_type;
    const char *body;          /* NUL-terminated */
    size_t body_len;
    const char *pv[4];         /* path parameters ({id} ...), decoded */
    int npv;
    auth_t auth;

    /* reply */
    int status;
    const char *ctype;
    const char *extra_headers; /* "Name: value\r\n..." or NULL */
    const char *out;
    size_t out_len;
    int replied;
    int parked;                /* req_park (park.h) took it: answered later, elsewhere */
    int resumed;               /* req_resume_parked runs it: it cannot be parked again */
};

/* Stores: fast workers own theirs; slow-pool threads borrow on first use
 * and give back at req_release_stores() or the end of the request. */
db_t *req_db(req_t *r);
kv_t *req_kv(req_t *r);
void req_release_stores(req_t *r);
/* 1 when the request holds its stores now: always on a fast worker, on a
 * slow thread between a borrow and req_release_stores(). */
int req_holds_stores(req_t *r);
/* The worker's WeChat client (wx_client_t *, opaque to server/). */
void *req_wx(req_t *r);

/* Decoded query parameter or NULL. */
const char *req_query(req_t *r, const char *name);
/* The token of an "Authorization: Bearer <token>" header, or NULL. */
const char *req_bearer(const req_t *r);
/* Integer query parameter: def when absent; -1 result with a 400 reply
 * already sent when malformed or outside [min, max]. */
int req_query_int(req_t *r, const char *name, long long def, long long min, long long max,
                  long long *out) __attribute__((warn_unused_result));
/* The body as a JSON object; NULL after replying 400 bad_json. Freed with
 * the arena. */
json_t *req_json(req_t *r) __attribute__((warn_unused_result));
/* req_json without the reply: NULL when the body is no JSON object. */
json_t *req_json_object(req_t *r) __attribute__((warn_unused_result));
/* The text of a string taken from a request body, or NULL when v is not a
 * string or holds a NUL byte. Bodies are parsed with JSON_ALLOW_NUL so that
 * "\u0000" reaches the field's own rule (which refuses a NULL here with
 * its own code) instead of failing the whole body as bad_json. */
const char *req_text(const json_t *v);
/* Path parameter i as a positive id; -1 after replying 404 with code. */
int req_id_param(req_t *r, int i, const char *not_found_code, long long *out) __attribute__((warn_unused_result));

/* Ownership: what a request allocates belongs to its arena. arena_json
 * ties a Jansson value to the arena (one reference is dropped when the
 * arena is freed; j may be NULL) and returns j, so a handler never calls
 * json_decref. A value it still hands to a call that steals a reference
 * (reply_json, json_pack "o", json_array_append_new) goes with json_incref
 * or "O". arena_json_text is json_dumps (compact) into the arena, NULL
 * when j is NULL or cannot be written. */
json_t *arena_json(arena_t *a, json_t *j);
char *arena_json_text(arena_t *a, const json_t *j);

/* Replies. reply_json steals the reference to body. */
int reply_json(req_t *r, int status, json_t *body);
int reply_error(req_t *r, int status, const char *code, const char *message);
int reply_raw(req_t *r, int status, const char *ctype, const void *data, size_t len);
void reply_header(req_t *r, const char *name, const char *value);
/* 500/503 for a store failure; logs the cause, never sends it. */
int reply_store_error(req_t *r, const char *what);
/* The one place a failure becomes a reply: ST_STORE and ST_RETRY 503
 * unavailable, any other failure 500 internal; nothing for ST_OK and the
 * other positive statuses, or when a reply was already made. Returns st. */
int reply_status(req_t *r, int st);

/* Serialise the reply as a CGI response (Status line, headers, body) into
 * a malloc'd buffer. */
int req_serialize(req_t *r, char **out, size_t *len);

/* Text of an HTTP status code ("Not Found"). */
const char *http_status_text(int status);

#endif
