/* router.h: the route table as data (as cgit's cmds[] and kcgi's pages[]).
 *
 * Every route states who may call it in its flags, so no handler can forget
 * the check: the dispatcher verifies the token and the role before the
 * handler runs. The table itself is the application's (handlers/routes.c),
 * handed to server_main (server/main.h). */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>
#include "server/request.h"

typedef int (*handler_fn)(req_t *r);

/* Who may call a route. Bits 0-7 (R_ROLES) are roles: their meaning is
 * the application's (it names them beside its route table and its auth
 * hook puts them in r->auth.roles); the dispatcher only checks that the
 * caller holds one of the route's. Bits 12-30 (R_APP) are the
 * application's own; g_route_admit reads them. The rest are the server's: */
enum {
    R_ROLES      = 0xff,     /* none of the role bits = public */
    R_LOOPBACK   = 1 << 8,   /* only from 127.0.0.1 / ::1 */
    R_SLOW       = 1 << 9,   /* waits (WeChat, long work, a group commit): runs on the slow pool */
    R_OPTIONAL_AUTH = 1 << 10, /* public, but the handler reads a token when one comes (so it can
                                * look the session up with its own reads: leaderboards.c) */
    R_TEST       = 1 << 11,  /* exists only when clock_settable is configured */
    R_APP        = 0x7ffff000, /* the application's flags */
};

typedef struct route {
    const char *method;
    const char *pattern;     /* "/api/v1/units/{id}" */
    handler_fn fn;
    unsigned flags;
    size_t max_body;         /* 0: the default, 1 MiB */
} route_t;

#define ROUTE_DEFAULT_BODY (1024 * 1024)

/* The table server_main was handed (router_set_routes). */
extern const route_t *g_routes;
extern size_t g_nroutes;
void router_set_routes(const route_t *routes, size_t n);

/* Resolve a bearer token into r->auth (set by the application).
 * Returns 0, -1 for an unknown or expired token, -2 when the stores are down. */
extern int (*g_auth_resolve)(req_t *r, const char *token);

/* The application's last word on an authenticated caller who holds one of
 * the route's roles (its R_APP flags): returns 0 to admit, or -1 after
 * replying. NULL admits everyone. */
extern int (*g_route_admit)(req_t *r, const route_t *rt);

/* Find the route for method and path. Returns it and fills r->pv, or NULL
 * with *method_mismatch set when the path exists under another method. */
const route_t *router_match(req_t *r, const char *method, const char *path, int *method_mismatch);
/* Fill r->pv from path for rt, a route router_match found for this path
 * (no second search of the table). */
void router_params(req_t *r, const route_t *rt, const char *path);
/* Index of a route in g_routes, for metrics. */
size_t router_index(const route_t *rt);
/* The matched route's checks before its handler (loopback, token, role,
 * g_route_admit): 0 to go on, or -1 after replying. */
int router_admit(req_t *r);
/* Run the matched route: auth, role, handler; always leaves a reply. */
void router_dispatch(req_t *r);
/* Print nginx location blocks whose client_max_body_size match the table. */
void router_print_nginx(const char *upstream);

#endif
