/* worker.h: a thread of one of the pools and the stores it uses. */
#ifndef WORKER_H
#define WORKER_H

#include <pthread.h>
#include "server/arena.h"
#include "server/db.h"
#include "server/kv.h"

typedef struct store {
    db_t *db;
    kv_t *kv;
    struct store *next;    /* free list of the borrowed pool */
} store_t;

struct worker {
    int id;
    int slow;              /* 1: a slow-pool thread, borrows stores */
    store_t own;           /* fast pool: owned for the thread's life */
    store_t *borrowed;     /* slow pool: held during part of a request */
    void *wx;
    struct conn *conn;     /* the connection of the request being handled (park.h) */
    arena_t arena;
    pthread_t thread;
};

store_t *store_pool_get(void);   /* blocks until one is free */
void store_pool_put(store_t *s);

#endif
