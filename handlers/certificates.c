/* certificates.c: GET /me/certificate (the caller's PDF) and
 * GET /certificates/{serial} (public verification). */
#include "handlers/certificates.h"
#include "engines/prizes/prizes.h"
#include "handlers/handlers.h"

int h_me_certificate(req_t *r)
{
    contest_t c;
    int rc = contest_from_request(r, NULL, &c);
    if (rc != ST_OK)
        return rc;
    const char *pdf, *serial;
    size_t len;
    prizes_why_t why = { 0 };
    rc = prizes_certificate(r, &c, r->auth.user_id, &pdf, &len, &serial, &why);
    /* not_eligible has several causes: "reason" beside the error names it
     * for a page to word (web/quiz), as unit_exists adds its unit_id */
    if (rc == ST_FORBIDDEN && why.reason)
        return reply_json(r, 403, json_pack("{s:{s:s,s:s},s:s}", "error", "code", why.code, "message",
                                            why.message, "reason", why.reason));
    if (rc == ST_FORBIDDEN)
        return reply_error(r, 403, why.code, why.message);
    if (rc == ST_GONE)
        return reply_error(r, 410, why.code, why.message);
    if (rc == ST_ERR)
        return reply_error(r, 503, "unavailable", "the certificate cannot be made now; try again later");
    if (rc != ST_OK)
        return rc;
    reply_header(r, "Content-Disposition", arena_sprintf(r->arena, "attachment; filename=\"certificate-%s.pdf\"", serial));
    reply_header(r, "Cache-Control", "private, no-store");
    return reply_raw(r, 200, "application/pdf", pdf, len);
}

int h_certificate_verify(req_t *r)
{
    json_t *body;
    status_t rc = prizes_certificate_verify(req_db(r), r->arena, r->npv > 0 ? r->pv[0] : NULL, &body);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "not_found", "no certificate has this serial");
    if (rc != ST_OK)
        return rc;
    return reply_json(r, 200, body);
}
