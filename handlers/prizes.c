/* prizes.c: POST /admin/contests/{id}/draw/commit, /draw/freeze,
 * /draw/reveal; GET /contests/{id}/winners, /contests/{id}/draw/candidates,
 * /admin/contests/{id}/winners. */
#include "handlers/prizes.h"
#include "engines/prizes/prizes.h"
#include "handlers/handlers.h"

/* The contest of path parameter 0: ST_OK, ST_REPLIED (404 replied when
 * none) or ST_STORE. */
/* The reply for a failed check of the draw engine (prizes_why_t). */
static int reply_why(req_t *r, status_t st, const prizes_why_t *why)
{
    switch (st) {
    case ST_INVALID: return reply_error(r, 400, why->code, why->message);
    case ST_CONFLICT: return reply_error(r, 409, why->code, why->message);
    case ST_NOT_FOUND: return reply_error(r, 404, why->code, why->message);
    default: return st;
    }
}

static status_t path_contest(req_t *r, contest_t *c)
{
    long long id;
    if (req_id_param(r, 0, "no_contest", &id) < 0)
        return ST_REPLIED;
    /* Fresh, not a kept copy: prizes are decided by the contest's window
     * and settings as they are now, whichever process changed them. */
    int rc = contest_load_fresh(r, id, c);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "no_contest", "no such contest"), ST_REPLIED;
    return rc == ST_OK ? ST_OK : ST_STORE;
}

int h_draw_commit(req_t *r)
{
    contest_t c;
    status_t rc = path_contest(r, &c);
    if (rc != ST_OK)
        return rc;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    json_t *body;
    prizes_why_t why;
    rc = prizes_commit(r, &c, req_text(json_object_get(j, "seed_sha256")),
                       req_text(json_object_get(j, "public_value_source")), &body, &why);
    if (rc != ST_OK)
        return reply_why(r, rc, &why);
    reply_json(r, 201, body);
    return ST_OK;
}

int h_draw_freeze(req_t *r)
{
    contest_t c;
    status_t rc = path_contest(r, &c);
    if (rc != ST_OK)
        return rc;
    const char *sha;
    prizes_why_t why;
    if ((rc = prizes_freeze(r, &c, &sha, &why)) != ST_OK)
        return reply_why(r, rc, &why);
    return reply_json(r, 200, json_pack("{s:s}", "candidates_sha256", sha));
}

int h_draw_reveal(req_t *r)
{
    contest_t c;
    status_t rc = path_contest(r, &c);
    if (rc != ST_OK)
        return rc;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    json_t *body;
    prizes_why_t why;
    rc = prizes_reveal(r, &c, req_text(json_object_get(j, "seed")), req_text(json_object_get(j, "public_value")),
                       &body, &why);
    if (rc != ST_OK)
        return reply_why(r, rc, &why);
    reply_json(r, 200, body);
    return ST_OK;
}

static int winners(req_t *r, int organizer)
{
    contest_t c;
    status_t rc = path_contest(r, &c);
    if (rc != ST_OK)
        return rc;
    json_t *body;
    if ((rc = prizes_winners(r, &c, organizer, &body)) == ST_NOT_FOUND)
        return reply_error(r, 404, "not_found", "no draw has been committed for this contest");
    if (rc != ST_OK)
        return rc;
    return reply_json(r, 200, body);
}

int h_contest_winners(req_t *r) { return winners(r, 0); }
int h_admin_contest_winners(req_t *r) { return winners(r, 1); }

int h_draw_candidates(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "no_contest", &id) < 0)
        return 0;
    const char *text;
    size_t len;
    status_t rc = prizes_candidates_file(req_db(r), r->arena, id, &text, &len);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "not_found", "the candidate list is not frozen yet");
    if (rc != ST_OK)
        return rc;
    reply_header(r, "Content-Disposition",
                 arena_sprintf(r->arena, "attachment; filename=\"draw-candidates-%lld.txt\"", id));
    return reply_raw(r, 200, "text/plain; charset=utf-8", text, len);
}
