/* eligibility.c: see eligibility.h. */
#include "engines/quiz/eligibility.h"
#include "engines/quiz/contest.h"
#include "rules/eligibility.h"

#include <string.h>

int quiz_registration_open_for(req_t *r, long long now, const char *new_kind, const char *old_kind)
{
    int staff = new_kind && strcmp(new_kind, "staff") == 0;
    /* 1: some contest still takes registrations that admits new_kind;
     * 2: a staff contest that closed its registration but still runs
     *    (matters only to someone becoming staff). */
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT COALESCE(MAX(registration_deadline >= ? AND (audience = 'all' OR ?)), 0),"
                             " COALESCE(MAX(registration_deadline < ? AND audience = 'staff'), 0)"
                             " FROM contests WHERE ends_at >= ?",
                             "iiii", now, (long long)staff, now, now);
    if (!res || !res->nrows) {
        return -1;
    }
    if (!db_int(res, 0, 0))
        return 0;
    if (old_kind && staff && strcmp(old_kind, "staff") != 0 && db_int(res, 0, 1))
        return 0;
    return 1;
}

int quiz_contest_policy_save(req_t *r, long long contest_id, const char *audience, const char *review_policy)
{
    if (!audience && !review_policy)
        return 0;
    if (db_exec(req_db(r), "UPDATE contests SET audience = IFNULL(?, audience),"
                           " review_policy = IFNULL(?, review_policy) WHERE id = ?",
                "ssi", audience, review_policy, contest_id) < 0) {
        return -1;
    }
    contests_changed();
    return 0;
}

int quiz_contest_policy_parse(req_t *r, json_t *j, const char **audience, const char **review_policy)
{
    json_t *a = json_object_get(j, "audience"), *p = json_object_get(j, "review_policy");
    const char *as = json_string_value(a), *ps = json_string_value(p);
    if (a && !(as && (strcmp(as, "all") == 0 || strcmp(as, "staff") == 0))) {
        reply_error(r, 400, "invalid_contest", "audience: all or staff");
        return -1;
    }
    if (p && !(ps && (strcmp(ps, "after_submit") == 0 || strcmp(ps, "after_end") == 0))) {
        reply_error(r, 400, "invalid_contest", "review_policy: after_submit or after_end");
        return -1;
    }
    if (a)
        *audience = as;
    if (p)
        *review_policy = ps;
    return 0;
}
