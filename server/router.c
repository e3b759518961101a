/* router.c: matching, access control and dispatch. */
#include "server/router.h"
#include "server/config.h"
#include "server/log.h"

#include <stdio.h>
#include <string.h>

int (*g_auth_resolve)(req_t *r, const char *token);
int (*g_route_admit)(req_t *r, const route_t *rt);
const route_t *g_routes;
size_t g_nroutes;

void router_set_routes(const route_t *routes, size_t n)
{
    g_routes = routes;
    g_nroutes = n;
}

/* Match pattern against path segment by segment; {name} takes one
 * non-empty segment. Returns 1 on a match and fills r->pv. */
static int match(req_t *r, const char *pat, const char *path)
{
    int npv = 0;
    const char *pv[4];
    size_t pvlen[4];
    while (*pat && *path) {
        if (*pat == '{') {
            const char *end = strchr(pat, '}');
            const char *seg = path;
            while (*path && *path != '/')
                path++;
            if (path == seg || npv == 4)
                return 0;
            pv[npv] = seg;
            pvlen[npv++] = (size_t)(path - seg);
            pat = end ? end + 1 : pat + strlen(pat);
            continue;
        }
        if (*pat != *path)
            return 0;
        pat++;
        path++;
    }
    if (*pat || *path)
        return 0;
    if (r) {
        for (int i = 0; i < npv; i++)
            r->pv[i] = arena_strndup(r->arena, pv[i], pvlen[i]);
        r->npv = npv;
    }
    return 1;
}

static int route_enabled(const route_t *rt)
{
    return !(rt->flags & R_TEST) || g_config.clock_settable;
}

const route_t *router_match(req_t *r, const char *method, const char *path, int *method_mismatch)
{
    *method_mismatch = 0;
    for (size_t i = 0; i < g_nroutes; i++) {
        const route_t *rt = &g_routes[i];
        if (!route_enabled(rt) || !match(NULL, rt->pattern, path))
            continue;
        if (strcmp(rt->method, method) != 0) {
            *method_mismatch = 1;
            continue;
        }
        if (r)
            match(r, rt->pattern, path);
        return rt;
    }
    return NULL;
}

void router_params(req_t *r, const route_t *rt, const char *path)
{
    if (!match(r, rt->pattern, path))
        r->npv = 0;
}

size_t router_index(const route_t *rt) { return rt ? (size_t)(rt - g_routes) : g_nroutes; }

static int is_loopback(const char *addr)
{
    return addr && (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
                    strcmp(addr, "unix:") == 0);
}

int router_admit(req_t *r)
{
    const route_t *rt = r->route;
    if ((rt->flags & R_LOOPBACK) && !is_loopback(r->remote_addr)) {
        reply_error(r, 403, "forbidden", "only from loopback");
        return -1;
    }
    int needed = (int)(rt->flags & R_ROLES);
    const char *token = req_bearer(r);
    /* an optional token (R_OPTIONAL_AUTH) is the handler's to resolve */
    if (needed && token && g_auth_resolve) {
        int rc = g_auth_resolve(r, token);
        if (rc == -2) {
            reply_error(r, 503, "unavailable", "try again shortly");
            return -1;
        }
        if (rc < 0)
            memset(&r->auth, 0, sizeof r->auth);
    }
    if (needed) {
        if (!r->auth.roles) {
            reply_error(r, 401, "unauthorized", "missing or invalid token");
            return -1;
        }
        if (!(r->auth.roles & needed)) {
            reply_error(r, 403, "forbidden", "this route needs another role");
            return -1;
        }
        if (g_route_admit && g_route_admit(r, rt) < 0)
            return -1;
    }
    return 0;
}

void router_dispatch(req_t *r)
{
    const route_t *rt = r->route;
    if (!rt) {
        reply_error(r, 404, "not_found", "no such route");
        return;
    }
    if (router_admit(r) < 0)
        return;
    int rc = rt->fn(r);
    if (rc < 0)
        reply_status(r, rc);
    else if (!r->replied && !r->parked)
        reply_error(r, 500, "internal", "no reply");
}

/* A path without parameters under the default body limit gets an exact
 * location: nginx finds it in its tree of exact and prefix locations and
 * tries none of the regex locations below, which it otherwise tries one by
 * one for every request that ends in the /api/ location. */
static void print_exact_locations(const char *upstream)
{
    for (size_t i = 0; i < g_nroutes; i++) {
        const route_t *rt = &g_routes[i];
        if ((rt->max_body && rt->max_body != ROUTE_DEFAULT_BODY) || !route_enabled(rt) ||
            strchr(rt->pattern, '{') || strncmp(rt->pattern, "/api/", 5) != 0)
            continue;
        /* one location per path: none when another method of the path has
         * a limit of its own (its regex location says it), and only at the
         * path's first route */
        int skip = 0;
        for (size_t j = 0; j < g_nroutes && !skip; j++)
            if (j != i && strcmp(g_routes[j].pattern, rt->pattern) == 0 && route_enabled(&g_routes[j]))
                skip = j < i || (g_routes[j].max_body && g_routes[j].max_body != ROUTE_DEFAULT_BODY);
        if (skip)
            continue;
        printf("location = %s {\n    client_max_body_size %dk;\n    include quizd_fastcgi.conf;\n"
               "    fastcgi_pass %s;\n}\n", rt->pattern, ROUTE_DEFAULT_BODY / 1024, upstream);
    }
}

void router_print_nginx(const char *upstream)
{
    /* One regex location per route whose body limit differs from the
     * default; everything else under /api/ gets the default. */
    printf("# generated by `quizd nginx-locations`: body limits match the route table\n");
    print_exact_locations(upstream);
    for (size_t i = 0; i < g_nroutes; i++) {
        const route_t *rt = &g_routes[i];
        if (!rt->max_body || rt->max_body == ROUTE_DEFAULT_BODY || !route_enabled(rt))
            continue;
        printf("location ~ ^");
        for (const char *p = rt->pattern; *p; p++) {
            if (*p == '{') {
                printf("[^/]+");
                p = strchr(p, '}');
                if (!p)
                    break;
                continue;
            }
            if (strchr(".+*?()[]^$\\", *p))
                putchar('\\');
            putchar(*p);
        }
        /* Bodies larger than the default stream through to quizd, which
         * refuses a request without a token as soon as its headers arrive
         * (server.c), so nginx stops reading such a body early. */
        printf("$ {\n    client_max_body_size %zuk;\n%s    include quizd_fastcgi.conf;\n"
               "    fastcgi_pass %s;\n}\n", (rt->max_body + 1023) / 1024,
               rt->max_body > ROUTE_DEFAULT_BODY ? "    fastcgi_request_buffering off;\n" : "",
               upstream);
    }
    printf("location /api/ {\n    client_max_body_size %dk;\n    include quizd_fastcgi.conf;\n"
           "    fastcgi_pass %s;\n}\n", ROUTE_DEFAULT_BODY / 1024, upstream);
}
