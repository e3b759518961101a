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
/* Reply for a REP_E* code of the engine; ST_STORE for a store error. */
int exports_reply_error(req_t *r, int rc, const char *err);

#endif
