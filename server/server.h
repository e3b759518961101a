/* server.h: the process — listener, connection loops and worker pools.
 *
 * Each fast worker (it owns a MariaDB and a Redis connection) runs the
 * connection loop itself: it waits in the shared epoll set for whichever
 * FastCGI connection is ready, reads and parses the request and answers it
 * on the same thread, with no hand-over. A route flagged R_SLOW (it waits
 * on WeChat) goes through a bounded queue to the larger slow pool, whose
 * threads borrow a store connection only while they use it. The loop
 * thread accepts connections and, while every fast worker is occupied,
 * reads the ready connections itself: a request then waits in the bounded
 * fast queue, or, the queue full, is answered 503 `overloaded` at once. An
 * idle keep-alive connection holds no thread. */
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
