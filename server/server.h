/* server.h: the process — listener, connection loop and worker pools.
 *
 * One thread watches every FastCGI connection with epoll and parses what
 * arrives; a complete request goes to a bounded queue: the fast pool (each
 * worker owns a MariaDB and a Redis connection) or, for routes flagged
 * R_SLOW that wait on WeChat, the larger slow pool whose threads borrow a
 * store connection only while they use it. An idle keep-alive connection
 * holds no thread. When a queue is full the loop answers 503 `overloaded`
 * itself, at once. */
#ifndef SERVER_H
#define SERVER_H

#include "server/request.h"

/* Hooks the application sets before server_run(). */
typedef struct {
    void *(*thread_wx_new)(void);     /* per-thread WeChat client */
    void (*thread_wx_free)(void *);
    void (*background)(db_t *db, kv_t *kv); /* called about every 200 ms on one thread */
    void (*start)(void);   /* before the listener opens: the application's own threads */
    void (*stop)(void);    /* after every worker stopped: join those threads */
} server_hooks_t;

/* Run until SIGTERM/SIGINT; finishes requests in flight, then returns 0.
 * Returns -1 when the listener cannot be opened. */
int server_run(const server_hooks_t *hooks);

#endif
