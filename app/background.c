/* background.c: periodic work on the server's background thread. Each task
 * is cheap when there is nothing to do and safe to run on every server at
 * once (they coordinate through MariaDB and Redis, not memory). */
#include "app/app.h"
#include "lib/mono.h"
#include "handlers/handlers.h"
#include "engines/accounts/session.h"
#include "engines/units/units.h"
#include "engines/boards/boards.h"
#include "engines/prizes/prizes.h"
#include "engines/reports/reports.h"

void app_background(db_t *db, kv_t *kv)
{
    static int64_t next_cleanup;
    int64_t now = clock_now_s();
    if (now >= next_cleanup) {
        /* Expired sessions and remembered login codes go once a minute, in
         * batches small enough not to hold locks the logins need; a login
         * peak leaves many, so keep going while batches come back full. */
        for (int i = 0; i < 50; i++)
            if (db_exec(db, "DELETE FROM sessions WHERE expires_at < ? LIMIT 1000", "i",
                        (long long)now) < 1000)
                break;
        for (int i = 0; i < 50; i++)
            if (db_exec(db, "DELETE FROM login_codes WHERE expires_at < ? LIMIT 1000", "i",
                        (long long)now) < 1000)
                break;
        next_cleanup = now + 60;
    }
    /* Session copies a logout could not drop while Redis was away: once a
     * second is soon enough, and spares MariaDB a query every tick. */
    static int64_t next_sweep_us;
    if (mono_us() >= next_sweep_us) {
        arena_t a;
        arena_init(&a);
        session_revocations_sweep(db, kv, &a);
        arena_free(&a);
        next_sweep_us = mono_us() + 1000000;
    }
    /* Units written outside POST /units get their search bigrams. */
    unit_search_backfill(db);
    /* Outbox entries into the leaderboards; missing boards rebuilt. */
    lb_drain(db, kv);
    /* Subscribe messages to winners and certificate holders. */
    prizes_notices_tick(db, kv);
    /* Expired export files go. */
    rep_upkeep(db);
}
