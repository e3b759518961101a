/* audit.c: the record of every organizer change (see console.h). */
#include "engines/console/console.h"
#include "rules/score.h"
#include "server/clock.h"

#include <stdlib.h>
#include <string.h>

int console_audit(db_t *db, long long organizer_id, const char *action, const char *target_kind,
                  long long target_id, json_t *before, json_t *after)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *f = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    long long rc = db_exec(db,
                           "INSERT INTO audit_log (organizer_id, actor, action, target_kind, target_id,"
                           " before_json, after_json, created_at)"
                           " VALUES (NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), ?, ?, ?)",
                           "isssissi", organizer_id > 0 ? organizer_id : 0,
                           organizer_id > 0 ? "api" : "cli", action, target_kind, target_id, b, f,
                           (long long)clock_now_s());
    free(b);
    free(f);
    return rc < 0 ? -1 : 0;
}

static json_t *parsed(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    return j ? j : json_string(s);
}

json_t *console_audit_list(db_t *db, arena_t *a, const console_audit_filter_t *f)
{
    const char *act = f->action ? f->action : "";
    const char *kind = f->target_kind ? f->target_kind : "";
    long long until = f->until ? f->until : (1LL << 62);
#define AUDIT_WHERE \
    " WHERE (? = 0 OR l.organizer_id = ?) AND (? = '' OR l.action = ?)" \
    " AND (? = '' OR l.target_kind = ?) AND (? = 0 OR l.target_id = ?)" \
    " AND l.created_at >= ? AND l.created_at < ?"
#define AUDIT_ARGS f->organizer_id, f->organizer_id, act, act, kind, kind, f->target_id, \
    f->target_id, f->since, until
    db_res_t *t = db_query(db, a, "SELECT COUNT(*) FROM audit_log l" AUDIT_WHERE, "iissssiiii",
                           AUDIT_ARGS);
    db_res_t *res = t ? db_query(db, a,
                                 "SELECT l.id, l.organizer_id, o.username, l.actor, l.action,"
                                 " l.target_kind, l.target_id, l.before_json, l.after_json,"
                                 " l.created_at FROM audit_log l"
                                 " LEFT JOIN organizers o ON o.id = l.organizer_id" AUDIT_WHERE
                                 " ORDER BY l.id DESC LIMIT ? OFFSET ?",
                                 "iissssiiiiii", AUDIT_ARGS, f->limit, f->offset) : NULL;
#undef AUDIT_WHERE
#undef AUDIT_ARGS
    if (!res)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        char at[32];
        iso8601_format_shanghai(db_int(res, i, 9), at);
        json_array_append_new(list, json_pack(
            "{s:I,s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:s}",
            "id", (json_int_t)db_int(res, i, 0),
            "organizer_id", db_get(res, i, 1) ? json_integer(db_int(res, i, 1)) : json_null(),
            "organizer", db_get(res, i, 2) ? json_string(db_get(res, i, 2)) : json_null(),
            "source", db_get(res, i, 3), "action", db_get(res, i, 4),
            "target_kind", db_get(res, i, 5),
            "target_id", db_get(res, i, 6) ? json_integer(db_int(res, i, 6)) : json_null(),
            "before", parsed(db_get(res, i, 7)), "after", parsed(db_get(res, i, 8)),
            "at", at));
    }
    return json_pack("{s:o,s:I}", "entries", list, "total", (json_int_t)db_int(t, 0, 0));
}
