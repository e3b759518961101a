/* status.h: the one status type of the engines and handlers.
 *
 * Modelled on redis's C_OK/C_ERR and kcgi's enum kcgi_err: zero is
 * success, a positive value says "stopped, and already replied", each
 * failure is a negative value with a name (status_str), and one place
 * turns a failure into the HTTP reply (reply_status, request.h; the
 * dispatcher calls it for whatever a handler returns). A handler returns
 * its status; a function that fails on a store returns ST_STORE and its
 * callers pass it on unchanged.
 *
 * ST_INVALID .. ST_CONFLICT name an outcome of an engine's check; the
 * handler that called it knows the contract's code and message for it
 * (an engine names the offending input through an out-parameter) and
 * replies. One that escapes to reply_status is a 500, like ST_ERR. */
#ifndef STATUS_H
#define STATUS_H

typedef enum {
    ST_NOT_FOUND = 2, /* no such thing; nothing replied (the caller decides) */
    ST_REPLIED = 1,   /* stopped after replying (a 4xx the caller must not overwrite) */
    ST_OK = 0,        /* done; for a handler: it replied */
    ST_ERR = -1,      /* an internal error: 500 internal */
    ST_STORE = -2,    /* MariaDB or Redis failed: 503 unavailable */
    ST_RETRY = -3,    /* a transient transaction failure (db_tx runs it again); 503 if it escapes */
    ST_INVALID = -4,  /* the input is not valid */
    ST_FORBIDDEN = -5,/* not the caller's to see or do */
    ST_BUSY = -6,     /* too much of the caller's work in progress; try later */
    ST_GONE = -7,     /* it was there and was removed */
    ST_CONFLICT = -8, /* not in a state that allows it */
} status_t;

/* "ok", "replied", "not_found", "internal", "store_unavailable", "retry",
 * "invalid", "forbidden", "busy", "gone", "conflict"; "unknown"
 * for a value outside the enum. Never NULL. */
const char *status_str(status_t st);

#endif
