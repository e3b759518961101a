/* submit_ranks.c: lb_ranks_after_submits, the immediate apply of a group
 * of submits (engines/quiz/group.h) and their ranks with one apply script
 * call for the whole group. See boards.h. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "server/request.h"

void lb_ranks_after_submits(req_t *r, long long contest_id, const db_res_t *entries, const long long *users,
                            size_t n, long long *ranks)
{
    for (size_t i = 0; i < n; i++)
        ranks[i] = -1;
    kv_t *kv = req_kv(r);
    if (!n || !entries || !kv_ctx(kv))
        return;   /* Redis is down: the drain applies the entries later */
    lb_entry_t *e = arena_alloc(r->arena, sizeof *e * (entries->nrows + 1));
    size_t m = 0;
    for (size_t i = 0; i < entries->nrows; i++)
        if (db_int(entries, i, LB_ENTRY_CONTEST) == contest_id)
            lb_entry_from_row(r->arena, entries, i, &e[m++]);
    /* The rows stay pending; the drain marks them. The ranks come from
     * the same script call, read after the entries. */
    (void)lb_apply(kv, r->arena, contest_id, e, m, users, n, ranks);
}
