/* routes.c: every route of the API in one table (see server/router.h).
 * The flags say who may call each route; the dispatcher enforces them.
 * Each section belongs to one resource; its handlers are declared in the
 * header named beside it. */
#include "handlers/handlers.h"
#include "server/metrics.h"
/* @includes: one line per resource header */

#define API "/api/v1"

const route_t g_routes[] = {
    /* health, metrics, test clock (handlers.h) */
    { "GET",  API "/healthz",            h_healthz,        0, 0 },
    { "GET",  API "/ping",               h_ping,           0, 0 },
    { "GET",  "/metrics",                metrics_handler,  R_LOOPBACK, 0 },
    { "PUT",  API "/__test/clock",       h_test_clock,     R_TEST | R_LOOPBACK, 0 },

    /* @login: login, me/phone, admin login, organizer accounts */

    /* @units: regions, units, profile, me, qrcodes */

    /* @quiz: contests, questions, attempts */

    /* @boards: leaderboards, rebuild */
};

const size_t g_nroutes = sizeof g_routes / sizeof g_routes[0];
