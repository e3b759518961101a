/* replica.c: short reads from the replica for request handlers (the stats
 * of the dashboard), off the primary when the replica keeps up.
 *
 * A few idle connections are kept in a small pool shared by the workers.
 * A replica found down is not tried again for DOWN_S seconds, so a dead
 * replica costs one connect timeout now and then, not one per request. */
#include "engines/reports/reports_int.h"
#include "server/clock.h"
#include "server/config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define POOL 8
#define DOWN_S 10

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static db_t *idle[POOL];
static int nidle;
static _Atomic long long down_until;   /* monotonic seconds */

db_t *rep_replica_take(char why[64])
{
    snprintf(why, 64, "primary");
    if (!g_config.db_replica_host[0] && !g_config.db_replica_socket[0])
        return NULL;
    long long now = mono_us() / 1000000;
    if (now < atomic_load(&down_until)) {
        snprintf(why, 64, "primary (replica down)");
        return NULL;
    }
    pthread_mutex_lock(&lock);
    db_t *db = nidle ? idle[--nidle] : NULL;
    pthread_mutex_unlock(&lock);
    if (!db)
        db = db_new_replica();
    int lag = db_replica_lag(db);
    if (lag >= 0 && lag <= g_config.db_replica_max_lag_s) {
        snprintf(why, 64, "replica");
        return db;
    }
    if (lag == -2) {
        atomic_store(&down_until, now + DOWN_S);
        snprintf(why, 64, "primary (replica down)");
    } else if (lag == -1) {
        snprintf(why, 64, "primary (replica not replicating)");
    } else {
        snprintf(why, 64, "primary (replica %d s behind)", lag);
    }
    rep_replica_give(db);
    return NULL;
}

void rep_replica_give(db_t *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&lock);
    if (nidle < POOL) {
        idle[nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&lock);
    db_free(db);
}

void rep_replica_close(void)
{
    pthread_mutex_lock(&lock);
    while (nidle)
        db_free(idle[--nidle]);
    pthread_mutex_unlock(&lock);
}
