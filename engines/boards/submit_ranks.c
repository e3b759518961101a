/* submit_ranks.c: lb_ranks_after_submits, the immediate apply of a group
 * of submits (engines/quiz/group.h) with one outbox read and one apply
 * script call for the whole group. See boards.h. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "server/request.h"

#include <jansson.h>
#include <string.h>

/* The group's pending outbox rows: the people's ids travel as one JSON
 * array, so the statement stays prepared; k_outbox_user finds the rows. */
#define GROUP_ENTRIES_SQL \
    LB_ENTRY_SELECT "WHERE o.contest_id = ? AND o.user_id IN" \
    " (SELECT ju FROM JSON_TABLE(?, '$[*]' COLUMNS (ju BIGINT PATH '$')) j)" \
    " AND o.applied_at IS NULL ORDER BY o.id LIMIT 1000"

void lb_ranks_after_submits(req_t *r, long long contest_id, const long long *users, size_t n, long long *ranks)
{
    for (size_t i = 0; i < n; i++)
        ranks[i] = -1;
    kv_t *kv = req_kv(r);
    if (!n || !kv_ctx(kv))
        return;   /* Redis is down: the drain applies the entries later */
    json_t *ids = arena_json(r->arena, json_array());
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_integer(users[i]));
    const char *idtext = arena_json_text(r->arena, ids);
    db_res_t *res = idtext ? db_query(req_db(r), r->arena, GROUP_ENTRIES_SQL, "is", contest_id, idtext) : NULL;
    if (!res)
        return;
    lb_entry_t *e = arena_alloc(r->arena, sizeof *e * (res->nrows + 1));
    for (size_t i = 0; i < res->nrows; i++)
        lb_entry_from_row(r->arena, res, i, &e[i]);
    /* As for one submit: the rows stay pending; the drain marks them. */
    long long unused;
    if (lb_apply(kv, r->arena, contest_id, e, res->nrows, 0, &unused) != 1)
        return;
    lb_user_ranks(r, contest_id, users, n, ranks);
}
