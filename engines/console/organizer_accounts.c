/* organizer_accounts.c: ending an organizer's sessions (console.h). */
#include "engines/console/console.h"
#include "server/kv.h"

long long console_organizer_end_sessions(db_t *db, arena_t *a, long long organizer_id)
{
    db_res_t *res = db_query(db, a, "SELECT token_hash FROM sessions WHERE organizer_id = ?", "i",
                             organizer_id);
    if (!res)
        return -1;
    /* the rows first: a copy still cached in Redis is then refused by its
     * next reload at worst, and deleted right below */
    long long n = db_exec(db, "DELETE FROM sessions WHERE organizer_id = ?", "i", organizer_id);
    if (n < 0)
        return -1;
    kv_t *kv = kv_new();
    for (size_t i = 0; i < res->nrows; i++)
        kv_cmd(kv, a, "DEL sess:%s", db_get(res, i, 0));
    kv_free(kv);
    return n;
}
