/* exports.h: POST /admin/exports, GET /admin/jobs/{id} and the job's file
 * (engines/reports does the work). */
#ifndef HANDLERS_EXPORTS_H
#define HANDLERS_EXPORTS_H

#include "server/request.h"
#include "engines/reports/reports.h"

int h_exports_create(req_t *r);
int h_job_get(req_t *r);
int h_job_file(req_t *r);

/* The requester as the reports engine sees it. */
void exports_who(req_t *r, rep_who_t *who);
/* Reply for a failed status of the reports engine, with err as the contract's
 * code where the engine named one; returns ST_STORE for a store error. */
int exports_reply_error(req_t *r, status_t rc, const char *err);

#endif
