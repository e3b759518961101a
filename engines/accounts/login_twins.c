/* login_twins.c: see login_twins.h.
 *
 * The codes being exchanged in this process are few (at most one per
 * slow-pool thread), so they sit in a small table of lists under one
 * mutex; a twin is a node holding its parked request. The lock is held
 * only to link or unlink; the replies are sent after it is dropped. */
#include "engines/accounts/login_twins.h"
#include "server/park.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 64

typedef struct twin {
    parked_t *p;
    struct twin *next;
} twin_t;

typedef struct flight {
    char hash[65];
    const void *exchanger;     /* the exchanging login's own object: a key, never read */
    twin_t *twins;
    struct flight *next;
} flight_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static flight_t *table[BUCKETS];

static flight_t **bucket(const char *hash)
{
    unsigned h = 0;
    for (int i = 0; i < 8 && hash[i]; i++)
        h = h * 31 + (unsigned char)hash[i];
    return &table[h % BUCKETS];
}

static flight_t *find(flight_t *f, const char *hash)
{
    while (f && strcmp(f->hash, hash) != 0)
        f = f->next;
    return f;
}

int login_twins_join(req_t *r, const void *exchanger, const char *code_hash)
{
    flight_t *nf = calloc(1, sizeof *nf);
    twin_t *t = malloc(sizeof *t);
    pthread_mutex_lock(&mu);
    flight_t **b = bucket(code_hash);
    flight_t *f = find(*b, code_hash);
    if (f && t && (t->p = req_park(r)) != NULL) {
        t->next = f->twins;
        f->twins = t;
        pthread_mutex_unlock(&mu);
        free(nf);
        return TWIN_PARKED;
    }
    /* No exchange here yet, or r cannot wait parked: r exchanges the code
     * (a second exchanger of one code still meets the first at the
     * replay's claim, and waits there as before). */
    if (!f && nf) {
        snprintf(nf->hash, sizeof nf->hash, "%s", code_hash);
        nf->exchanger = exchanger;
        nf->next = *b;
        *b = nf;
        nf = NULL;
    }
    pthread_mutex_unlock(&mu);
    free(nf);
    free(t);
    return TWIN_EXCHANGER;
}

void login_twins_done(const void *exchanger, const req_t *reply, const char *code_hash)
{
    pthread_mutex_lock(&mu);
    flight_t **pp = bucket(code_hash), *f;
    /* only the flight this exchanger opened: a request that could not be
     * parked exchanges on its own and leaves the first one's twins alone */
    while ((f = *pp) && (strcmp(f->hash, code_hash) != 0 || f->exchanger != exchanger))
        pp = &f->next;
    if (f)
        *pp = f->next;
    pthread_mutex_unlock(&mu);
    if (!f)
        return;
    twin_t *t = f->twins;
    free(f);
    while (t) {
        twin_t *next = t->next;
        req_answer_parked(t->p, reply);
        free(t);
        t = next;
    }
}
