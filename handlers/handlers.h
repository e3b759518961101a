/* handlers.h: every route handler, and small helpers they share. */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <jansson.h>
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"

/* health.c */
int h_healthz(req_t *r);
int h_ping(req_t *r);

/* session.c */
int session_resolve(req_t *r, const char *token);

/* background.c */
void app_background(db_t *db, kv_t *kv);

/* testclock.c: only with clock_settable */
int h_test_clock(req_t *r);

#endif
