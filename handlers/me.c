/* me.c: GET /api/v1/me?contest_id — who the caller is, their profile, and
 * where they stand in a contest.
 *
 * stats.score comes from contest_scores (null before the first submit);
 * attempts_today and open_attempt_id from the quiz's attempts table, read
 * with one statement. rank is the national place on the live boards
 * (lb_user_rank): null without a score, and null while the boards cannot
 * be read (Redis down, being rebuilt) -- GET /me never fails for them. */
#include "handlers/profile.h"
#include "engines/boards/boards.h"
#include "engines/quiz/contest.h"
#include "handlers/handlers.h"
#include "rules/score.h"
#include "engines/console/console.h"

#define DB_ER_NO_SUCH_TABLE 1146

static json_t *roles_json(long long roles)
{
    json_t *a = json_array();
    if (roles & ROLE_USER)
        json_array_append_new(a, json_string("user"));
    if (roles & ROLE_UNIT_ADMIN)
        json_array_append_new(a, json_string("unit_admin"));
    if (roles & ROLE_ORGANIZER)
        json_array_append_new(a, json_string("organizer"));
    return a;
}

/* stats for contest c; NULL on a store error. */
static json_t *stats_json(req_t *r, const contest_t *c, long long uid)
{
    db_t *db = req_db(r);
    long long now = clock_now_s();
    db_res_t *s = db_query(db, r->arena, "SELECT score FROM contest_scores"
                                         " WHERE contest_id = ? AND user_id = ?", "ii", c->id, uid);
    if (!s)
        return NULL;
    long long today = 0, open_id = 0;
    db_res_t *a = db_query(db, r->arena,
                           "SELECT IFNULL(SUM(day = ?), 0),"
                           " IFNULL(MAX(CASE WHEN submitted_at IS NULL AND deadline > ? THEN id END), 0)"
                           " FROM attempts WHERE contest_id = ? AND user_id = ?",
                           "iiii", rules_shanghai_day(now), now, c->id, uid);
    if (a) {
        today = db_int(a, 0, 0);
        open_id = db_int(a, 0, 1);
    } else if (db_errno(db) != DB_ER_NO_SUCH_TABLE) {
        /* the quiz's migration may not have run yet: then 0 / null */
        return NULL;
    }
    long long rank = 0, board_score;
    if (s->nrows && lb_user_rank(r, c->id, uid, &rank, &board_score) != ST_OK)
        rank = 0;
    return json_pack("{s:I,s:o,s:o,s:I,s:o}", "contest_id", (json_int_t)c->id,
                     "score", s->nrows ? json_integer(db_int(s, 0, 0)) : json_null(),
                     "rank", rank > 0 ? json_integer(rank) : json_null(),
                     "attempts_today", (json_int_t)today,
                     "open_attempt_id", open_id ? json_integer(open_id) : json_null());
}

int h_me(req_t *r)
{
    long long uid = r->auth.user_id;
    contest_t c;
    const char *q = req_query(r, "contest_id");
    int rc = (q && *q) ? contest_from_request(r, NULL, &c) : contest_load(r, 0, &c);
    if (rc < 0 || rc == ST_REPLIED)
        return rc;
    db_res_t *u = db_query(req_db(r), r->arena,
                           "SELECT phone_masked, roles, IFNULL(admin_unit_id, 0) FROM users"
                           " WHERE id = ?", "i", uid);
    if (!u)
        return ST_STORE;
    if (!u->nrows)
        return reply_error(r, 401, "unauthorized", "missing or invalid token");
    json_t *profile = arena_json(r->arena, profile_load_json(r, uid));
    if (!profile)
        return ST_STORE;
    json_t *stats = json_null();
    if (rc == ST_OK && !(stats = stats_json(r, &c, uid)))
        return ST_STORE;
    arena_json(r->arena, stats);
    /* the caller's application to be a unit admin, and names an organizer
     * sent back (with the reason), so the owner knows what to correct */
    json_t *app = arena_json(r->arena, console_my_application(req_db(r), r->arena, uid));
    json_t *reviews = app ? arena_json(r->arena, console_my_reviews(req_db(r), r->arena, uid)) : NULL;
    if (!reviews)
        return ST_STORE;
    const char *pm = db_get(u, 0, 0);
    long long admin_unit = db_int(u, 0, 2);
    json_t *user = json_pack("{s:I,s:b,s:o,s:o}", "id", (json_int_t)uid,
                             "registered", !json_is_null(profile),
                             "phone_masked", pm ? json_string(pm) : json_null(),
                             "admin_unit_id", admin_unit ? json_integer(admin_unit) : json_null());
    return reply_json(r, 200, json_pack("{s:o,s:O,s:o,s:O,s:O,s:O}", "user", user, "profile", profile,
                                        "roles", roles_json(db_int(u, 0, 1) | r->auth.roles),
                                        "stats", stats, "admin_application", app,
                                        "name_reviews", reviews));
}
