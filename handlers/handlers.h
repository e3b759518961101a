/* handlers.h: every route handler, and small helpers they share. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <jansson.h>
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "engines/accounts/accounts.h"

/* routes.c: the route table, handed to server_main by app/main.c. */
extern const route_t app_routes[];
extern const size_t app_nroutes;

/* health.c */
int h_healthz(req_t *r);
int h_ping(req_t *r);

/* testclock.c: only with clock_settable */
int h_test_clock(req_t *r);

#endif
