/* router.h: the route table as data (as cgit's cmds[] and kcgi's pages[]).
 *
 * Every route states who may call it in its flags, so no handler can forget
 * the check: the dispatcher verifies the token and the role before the
 * handler runs. The table itself lives in handlers/routes.c. */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>
#include "server/request.h"

typedef int (*handler_fn)(req_t *r);

enum {
    /* who may call: none of the role bits = public */
    R_USER       = ROLE_USER,
    R_UNIT_ADMIN = ROLE_UNIT_ADMIN,
    R_ORGANIZER  = ROLE_ORGANIZER,
    R_LOOPBACK   = 1 << 8,   /* only from 127.0.0.1 / ::1 */
    R_SLOW       = 1 << 9,   /* waits on WeChat: runs on the slow pool */
    R_OPTIONAL_AUTH = 1 << 10, /* public, but a valid token fills r->auth */
    R_TEST       = 1 << 11,  /* exists only when clock_settable is configured */
    R_NATIONWIDE = 1 << 12,  /* with R_ORGANIZER: only an organizer whose area is all */
};

typedef struct route {
    const char *method;
    const char *pattern;     /* "/api/v1/units/{id}" */
    handler_fn fn;
    unsigned flags;
    size_t max_body;         /* 0: the default, 1 MiB */
} route_t;

#define ROUTE_DEFAULT_BODY (1024 * 1024)

extern const route_t g_routes[];
extern const size_t g_nroutes;

/* Resolve a bearer token into r->auth (set by handlers/session.c).
 * Returns 0, -1 for an unknown or expired token, -2 when the stores are down. */
extern int (*g_auth_resolve)(req_t *r, const char *token);

/* Find the route for method and path. Returns it and fills r->pv, or NULL
 * with *method_mismatch set when the path exists under another method. */
const route_t *router_match(req_t *r, const char *method, const char *path, int *method_mismatch);
/* Index of a route in g_routes, for metrics. */
size_t router_index(const route_t *rt);
/* The body limit for a path (any method), for the FastCGI parser. */
size_t router_body_limit(const char *method, const char *path);
/* Run the matched route: auth, role, handler; always leaves a reply. */
void router_dispatch(req_t *r);
/* Print nginx location blocks whose client_max_body_size match the table. */
void router_print_nginx(const char *upstream);

#endif
