/* members.c: a unit's people for its admin and organizers (console.h):
 * full names (they are the unit's own people), phones masked. */
#include "engines/console/console.h"

#include <string.h>

/* q as a LIKE pattern matching it anywhere, with % _ and \ taken literally. */
static const char *like_pattern(arena_t *a, const char *q)
{
    size_t n = strlen(q);
    char *out = arena_alloc(a, n * 2 + 3), *w = out;
    *w++ = '%';
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            *w++ = '\\';
        *w++ = *q;
    }
    *w++ = '%';
    *w = '\0';
    return out;
}

#define MEMBERS_FROM \
    " FROM profiles p LEFT JOIN users us ON us.id = p.user_id" \
    " LEFT JOIN contest_scores s ON s.contest_id = ? AND s.user_id = p.user_id" \
    " WHERE p.board_unit_id = ? AND (? = '' OR p.real_name LIKE ?) AND (? = '' OR p.kind = ?)" \
    " AND (? < 0 OR (s.user_id IS NOT NULL) = ?) AND (? < 0 OR p.is_unit_leader = ?)" \
    " AND (? < 0 OR IFNULL(s.score, 0) >= ?) AND (? < 0 OR IFNULL(s.score, 0) <= ?)"
#define MEMBERS_TYPES "iissssiiiiiiii"
#define MEMBERS_ARGS f->contest_id, unit_id, q, like, kind, kind, part, part, lead, lead, \
    f->min_score, f->min_score, f->max_score, f->max_score

json_t *console_members_list(db_t *db, arena_t *a, long long unit_id,
                             const console_members_filter_t *f)
{
    const char *q = f->q ? f->q : "";
    const char *like = like_pattern(a, q);
    const char *kind = f->kind ? f->kind : "";
    long long part = f->participated, lead = f->leader;
    db_res_t *t = db_query(db, a, "SELECT COUNT(*)" MEMBERS_FROM, MEMBERS_TYPES, MEMBERS_ARGS);
    db_res_t *res = t ? db_query(db, a,
        "SELECT p.user_id, p.real_name, us.phone_masked, p.kind, p.is_unit_leader, p.position,"
        " p.five_into_category, p.five_into_org, s.score,"
        " IFNULL(s.attempts_submitted, 0),"
        " (SELECT MIN(a.submitted_at - a.started_at) FROM attempts a WHERE a.contest_id = s.contest_id"
        "  AND a.user_id = p.user_id AND a.submitted_at IS NOT NULL AND a.score ="
        "  (SELECT MAX(b.score) FROM attempts b WHERE b.contest_id = s.contest_id"
        "   AND b.user_id = p.user_id AND b.submitted_at IS NOT NULL)),"
        " p.unit_id, p.sponsor_unit_id"
        MEMBERS_FROM " ORDER BY s.score IS NULL, s.score DESC, p.user_id LIMIT ? OFFSET ?",
        MEMBERS_TYPES "ii", MEMBERS_ARGS, f->limit, f->offset) : NULL;
    if (!res)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        const char *k = db_get(res, i, 3);
        int five = k && strcmp(k, "five_into") == 0;
        json_t *m = json_pack("{s:I,s:s,s:o,s:s,s:b,s:o,s:o,s:I,s:o}",
            "user_id", (json_int_t)db_int(res, i, 0), "real_name", db_get(res, i, 1),
            "phone_masked", db_get(res, i, 2) ? json_string(db_get(res, i, 2)) : json_null(),
            "kind", k, "is_unit_leader", (int)db_int(res, i, 4),
            "position", db_get(res, i, 5) ? json_string(db_get(res, i, 5)) : json_null(),
            "score", db_get(res, i, 8) ? json_integer(db_int(res, i, 8)) : json_null(),
            "attempts", (json_int_t)db_int(res, i, 9),
            "best_time_s", db_get(res, i, 10) ? json_integer(db_int(res, i, 10)) : json_null());
        json_object_set_new(m, "five_into", five
            ? json_pack("{s:s,s:s}", "category", db_get(res, i, 6) ? db_get(res, i, 6) : "",
                        "org_name", db_get(res, i, 7) ? db_get(res, i, 7) : "")
            : json_null());
        json_array_append_new(list, m);
    }
    return json_pack("{s:o,s:I,s:I}", "members", list, "total", (json_int_t)db_int(t, 0, 0),
                     "contest_id", (json_int_t)f->contest_id);
}
