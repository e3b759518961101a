/* console.h: the routes of the organizers' and unit admins' console
 * (issue 10); the work is done by engines/console/console.h.
 *
 * Every organizer route here is bound to the organizer's area: another
 * area's resource is 403 forbidden and lists are filtered to the area. */
#ifndef HANDLERS_CONSOLE_H
#define HANDLERS_CONSOLE_H

#include "server/request.h"

/* Uploads: the file itself plus multipart framing. */
#define UPLOAD_MAX_BODY (10 * 1024 * 1024 + 64 * 1024)

/* Whether the caller may see unit_id's area-bound data: an organizer whose
 * area covers it, or the unit's own admin. Returns 0, 1 after replying
 * 404 unit_not_found or 403 forbidden, or -1 when MariaDB failed (nothing
 * replied: the caller returns ST_STORE). */
int console_unit_access(req_t *r, long long unit_id);

/* Reply for an engine outcome (CONSOLE_*; -1 = store error, returned for
 * the dispatcher); not_found is the 404's code. */
int console_reply_outcome(req_t *r, int rc, const char *not_found);

/* Ask every contest's boards to be rebuilt (a unit moved, merged, was
 * verified, or a name was hidden): they do not go through the outbox. */
void console_boards_rebuild(req_t *r);

/* admin_units.c */
int h_admin_units_list(req_t *r);      /* GET  /admin/units */
int h_admin_unit_get(req_t *r);        /* GET  /admin/units/{id} */
int h_admin_unit_update(req_t *r);     /* PUT  /admin/units/{id} */
int h_admin_unit_merge(req_t *r);      /* POST /admin/units/{id}/merge */
/* audit.c */
int h_admin_audit(req_t *r);           /* GET  /admin/audit (nationwide) */
/* reviews.c */
int h_admin_reviews(req_t *r);         /* GET  /admin/reviews */
int h_admin_review_accept(req_t *r);   /* POST /admin/reviews/{id}/accept */
int h_admin_review_reject(req_t *r);   /* POST /admin/reviews/{id}/reject */
/* uploads.c */
int h_upload_create(req_t *r);         /* POST /uploads */
int h_upload_get(req_t *r);            /* GET  /uploads/{id} */
/* applications.c */
int h_application_create(req_t *r);    /* POST /units/{id}/admin-applications */
int h_admin_applications(req_t *r);    /* GET  /admin/admin-applications */
int h_admin_application_get(req_t *r); /* GET  /admin/admin-applications/{id} */
int h_admin_application_approve(req_t *r);
int h_admin_application_reject(req_t *r);
/* members.c */
int h_unit_members(req_t *r);          /* GET  /units/{id}/members */

#endif
