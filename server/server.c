/* server.c: connections, the loops and the worker threads (see server.h).
 *
 * Ownership: a connection is armed in the shared epoll set with
 * EPOLLONESHOT, so each readiness event goes to exactly one thread, which
 * owns the connection until it arms it again, queues it (the queue's
 * popper owns it then) or closes it. No connection state is ever touched by
 * two threads at once, and no lock is held on it. The list of every open
 * connection (for the shutdown) is the one shared structure, under conn_mu.
 * A request a handler parks (park.h) leaves its connection to the
 * parked_t, and whichever thread answers it owns the connection then. */
#define _GNU_SOURCE
#include "server/server.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/fcgi.h"
#include "server/listener.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/park.h"
#include "server/peers.h"
#include "server/queue.h"
#include "server/router.h"
#include "server/worker.h"

#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define WRITE_TIMEOUT_MS 30000
#define ARM_EVENTS (EPOLLIN | EPOLLRDHUP | EPOLLONESHOT)

typedef struct conn {
    int fd;
    fcgi_parser_t parser;
    uint8_t *pending;           /* read but not yet fed to the parser */
    size_t pending_len;
    const route_t *route;       /* matched when PARAMS ended */
    int method_mismatch;
    int close_after;            /* the reply decided the connection ends */
    int refused;                /* answered at PARAMS: the body is dropped unread */
    int auth_job;               /* the token is checked before the body is read */
    int64_t start_us;
    struct conn *next;          /* return list link */
    struct conn *all_prev, *all_next; /* every open connection (conn_mu) */
} conn_t;

/* What feeding bytes to a connection's parser led to. */
enum {
    FED_MORE,        /* read more */
    FED_DISPATCHED,  /* queued: the popper owns the connection now */
    FED_CLOSE,       /* close it */
    FED_READY,       /* a whole request for the reading thread to answer */
    FED_AUTH,        /* a large body's token for the reading thread to check */
    FED_WAIT         /* armed again (or closed): the thread lets go of it */
};

static queue_t fast_q, slow_q;
static int conn_ep = -1;       /* every connection, and the fast queue's eventfd */
static int main_ep = -1;       /* the listener and the slow pool's returns */
static int listen_fd = -1, wake_fd = -1, fastq_fd = -1;
static pthread_mutex_t ret_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_t *ret_head;
static volatile sig_atomic_t stopping;
static _Atomic int in_flight;      /* requests ready and not yet answered */
static _Atomic int stop_workers;
static _Atomic int fast_occupied;  /* fast threads away from epoll_wait */
static pthread_mutex_t conn_mu = PTHREAD_MUTEX_INITIALIZER;
static int nconns;
static conn_t *all_conns;      /* so shutdown can free the idle ones */
static const server_hooks_t *hooks;

/* ---- store pool for the slow threads ---- */

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static store_t *pool_free;

store_t *store_pool_get(void)
{
    pthread_mutex_lock(&pool_mu);
    while (!pool_free)
        pthread_cond_wait(&pool_cv, &pool_mu);
    store_t *s = pool_free;
    pool_free = s->next;
    pthread_mutex_unlock(&pool_mu);
    return s;
}

void store_pool_put(store_t *s)
{
    pthread_mutex_lock(&pool_mu);
    s->next = pool_free;
    pool_free = s;
    pthread_cond_signal(&pool_cv);
    pthread_mutex_unlock(&pool_mu);
}

db_t *req_db(req_t *r)
{
    worker_t *w = r->worker;
    if (!w->slow)
        return w->own.db;
    if (!w->borrowed)
        w->borrowed = store_pool_get();
    return w->borrowed->db;
}

kv_t *req_kv(req_t *r)
{
    worker_t *w = r->worker;
    if (!w->slow)
        return w->own.kv;
    if (!w->borrowed)
        w->borrowed = store_pool_get();
    return w->borrowed->kv;
}

void req_release_stores(req_t *r)
{
    worker_t *w = r->worker;
    if (w->slow && w->borrowed) {
        store_pool_put(w->borrowed);
        w->borrowed = NULL;
    }
}

int req_holds_stores(req_t *r) { return !r->worker->slow || r->worker->borrowed != NULL; }

void *req_wx(req_t *r) { return r->worker->wx; }

/* ---- writing ---- */

/* Write all bytes on a non-blocking socket, waiting for room with poll.
 * Returns 0, or -1 when the peer is gone or too slow. */
static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = fd, .events = POLLOUT };
            if (poll(&pfd, 1, WRITE_TIMEOUT_MS) <= 0)
                return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

/* Send a finished reply for the connection's current request. */
static int send_reply(conn_t *c, req_t *r)
{
    char *cgi;
    size_t cgi_len;
    if (req_serialize(r, &cgi, &cgi_len) < 0)
        return -1;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = fcgi_build_response(&buf, &len, &cap, c->parser.request_id, (uint8_t *)cgi, cgi_len, 0);
    free(cgi);
    if (rc == 0)
        rc = write_all(c->fd, buf, len);
    free(buf);
    return rc;
}

static const char *param_or(const conn_t *c, const char *name, const char *def)
{
    const char *v = fcgi_param(&c->parser, name);
    return v ? v : def;
}

static void log_request(const req_t *r, int64_t us)
{
    log_info("req %s %s %s %d %lldus", r->request_id ? r->request_id : "-", r->method,
             r->route ? r->route->pattern : "(none)", r->status, (long long)us);
}

/* Fill a req_t from the parsed request. The path is REQUEST_URI up to '?':
 * nginx's $document_uri is already decoded and normalised, but route
 * matching wants the bytes the client sent. */
static void build_req(req_t *r, conn_t *c, worker_t *w, arena_t *a)
{
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->worker = w;
    r->route = c->route;
    r->method = param_or(c, "REQUEST_METHOD", "GET");
    const char *uri = param_or(c, "REQUEST_URI", "/");
    const char *q = strchr(uri, '?');
    r->path = q ? arena_strndup(a, uri, (size_t)(q - uri)) : uri;
    r->query = q ? q + 1 : param_or(c, "QUERY_STRING", "");
    r->remote_addr = param_or(c, "REMOTE_ADDR", "");
    r->request_id = fcgi_param(&c->parser, "REQUEST_ID");
    r->authorization = fcgi_param(&c->parser, "HTTP_AUTHORIZATION");
    r->if_none_match = fcgi_param(&c->parser, "HTTP_IF_NONE_MATCH");
    r->content_type = param_or(c, "CONTENT_TYPE", "");
    r->body = c->parser.body ? c->parser.body : "";
    r->body_len = c->parser.body_len;
    if (c->route)
        router_params(r, c->route, r->path);
}

/* Handle one request. Returns 1 when the handler parked it (park.h): the
 * connection is the parked_t's now, and nothing more is done with it here. */
static int handle(worker_t *w, conn_t *c)
{
    req_t r;
    build_req(&r, c, w, &w->arena);
    w->conn = c;
    if (c->parser.body_too_large)
        reply_error(&r, 413, "body_too_large", "the body is larger than this route accepts");
    else if (!c->route && c->method_mismatch)
        reply_error(&r, 405, "method_not_allowed", "this path does not take that method");
    else
        router_dispatch(&r);
    w->conn = NULL;
    if (w->slow)
        req_release_stores(&r);
    if (r.parked) {
        arena_reset(&w->arena);
        return 1;
    }
    int64_t us = mono_us() - c->start_us;
    if (send_reply(c, &r) < 0 || !c->parser.keep_conn)
        c->close_after = 1;
    metrics_request(router_index(r.route), r.status, us);
    log_request(&r, us);
    arena_reset(&w->arena);
    return 0;
}

/* A large body's request, before its body is read: only the route's
 * checks (token, role). Refused: the reply goes now and the loop drops
 * the body as it comes (c->refused); admitted: the loop reads the body
 * and the request is dispatched again, whole. */
static void handle_auth(worker_t *w, conn_t *c)
{
    req_t r;
    build_req(&r, c, w, &w->arena);
    r.body = "";
    r.body_len = 0;
    if (router_admit(&r) < 0) {
        c->refused = 1;
        int64_t us = mono_us() - c->start_us;
        if (send_reply(c, &r) < 0 || !c->parser.keep_conn)
            c->close_after = 1;
        metrics_request(router_index(r.route), r.status, us);
        log_request(&r, us);
    }
    if (w->slow)
        req_release_stores(&r);
    arena_reset(&w->arena);
}

/* ---- connections ---- */

static void conn_close(conn_t *c)
{
    pthread_mutex_lock(&conn_mu);
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        all_conns = c->all_next;
    if (c->all_next)
        c->all_next->all_prev = c->all_prev;
    nconns--;
    pthread_mutex_unlock(&conn_mu);
    epoll_ctl(conn_ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    fcgi_parser_free(&c->parser);
    free(c->pending);
    free(c);
}

/* Wait for the next request on c; the thread lets go of it. */
static void conn_arm(conn_t *c)
{
    struct epoll_event ev = { .events = ARM_EVENTS, .data.ptr = c };
    if (epoll_ctl(conn_ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        conn_close(c);
}

static void keep_pending(conn_t *c, const uint8_t *rest, size_t len)
{
    if (!len)
        return;
    uint8_t *p = malloc(len);
    if (!p)
        abort();
    memcpy(p, rest, len);
    free(c->pending);
    c->pending = p;
    c->pending_len = len;
}

/* A body buffer grown past this is freed after its request, so a burst of
 * large uploads does not leave every kept-alive connection holding its
 * peak (nginx keeps up to `keepalive` connections open for long). */
#define BODY_KEEP_CAP (64 * 1024)

static void release_big_buffers(conn_t *c)
{
    if (c->parser.body_cap > BODY_KEEP_CAP) {
        free(c->parser.body);
        c->parser.body = NULL;
        c->parser.body_len = c->parser.body_cap = 0;
    }
}

/* Forget the answered request; the connection waits for the next. */
static void conn_next_request(conn_t *c)
{
    fcgi_parser_reset_request(&c->parser);
    release_big_buffers(c);
    c->route = NULL;
    c->method_mismatch = 0;
}

static int flush_parser_out(conn_t *c)
{
    if (!c->parser.out_len)
        return 0;
    int rc = write_all(c->fd, c->parser.out, c->parser.out_len);
    c->parser.out_len = 0;
    return rc;
}

/* Answer without a worker's stores (overload, oversize params, no token). */
static void reply_error_now(conn_t *c, int status, const char *code, const char *msg)
{
    arena_t a;
    arena_init(&a);
    req_t r;
    memset(&r, 0, sizeof r);
    r.arena = &a;
    r.method = param_or(c, "REQUEST_METHOD", "-");
    r.request_id = fcgi_param(&c->parser, "REQUEST_ID");
    r.route = c->route;
    reply_error(&r, status, code, msg);
    if (send_reply(c, &r) < 0)
        c->close_after = 1;
    metrics_request(router_index(c->route), status, mono_us() - c->start_us);
    log_request(&r, mono_us() - c->start_us);
    arena_free(&a);
}

static void reply_overloaded(conn_t *c)
{
    metrics_overloaded();
    reply_error_now(c, 503, "overloaded", "the server is busy; try again in a moment");
}

/* "Bearer <token>" whose token could be one (session_resolve takes 20 to
 * 128 printable characters): anything else cannot pass any role check. */
static int bearer_plausible(const char *h)
{
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    size_t n = 0;
    for (const char *p = h + 7; *p; p++, n++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return n >= 20 && n <= 128;
}

static int route_is_slow(const conn_t *c) { return c->route && (c->route->flags & R_SLOW); }

/* ---- from bytes to requests ---- */

/* A whole request: the reading thread answers it itself when it may
 * (inline: a fast thread, a fast route), or it is queued for a pool. A
 * full queue is answered 503 at once. */
static int request_ready(conn_t *c, int inline_ok, const uint8_t *rest, size_t len)
{
    keep_pending(c, rest, len);
    atomic_fetch_add(&in_flight, 1);
    if (inline_ok && !route_is_slow(c))
        return FED_READY;
    if (queue_push(route_is_slow(c) ? &slow_q : &fast_q, c) == 0) {
        metrics_queue_depth(queue_len(&fast_q), queue_len(&slow_q));
        return FED_DISPATCHED;
    }
    atomic_fetch_sub(&in_flight, 1);
    free(c->pending);          /* the caller goes on with the same bytes */
    c->pending = NULL;
    c->pending_len = 0;
    reply_overloaded(c);
    if (c->close_after || !c->parser.keep_conn)
        return FED_CLOSE;
    conn_next_request(c);
    return FED_MORE;
}

/* The token check of a request whose params just ended, before its body
 * is read: answered inline or queued like a request. Refused for a full
 * queue: 503 at once, and the body is dropped as it comes. */
static int token_check_ready(conn_t *c, int inline_ok, const uint8_t *rest, size_t len)
{
    keep_pending(c, rest, len);
    c->auth_job = 1;
    atomic_fetch_add(&in_flight, 1);
    if (inline_ok && !route_is_slow(c))
        return FED_AUTH;
    if (queue_push(route_is_slow(c) ? &slow_q : &fast_q, c) == 0)
        return FED_DISPATCHED;
    atomic_fetch_sub(&in_flight, 1);
    c->auth_job = 0;
    free(c->pending);          /* the caller goes on with the same bytes */
    c->pending = NULL;
    c->pending_len = 0;
    reply_overloaded(c);
    c->parser.body_limit = 0;
    c->refused = 1;
    return c->close_after || !c->parser.keep_conn ? FED_CLOSE : FED_MORE;
}

/* PARAMS ended: match the route, set the body limit, and refuse a route
 * that needs a role when no usable token came. */
static int params_ready(conn_t *c, int inline_ok, const uint8_t *rest, size_t len)
{
    c->start_us = mono_us();
    c->refused = 0;
    const char *uri = param_or(c, "REQUEST_URI", "/");
    const char *q = strchr(uri, '?');
    char path[2048];
    size_t n = q ? (size_t)(q - uri) : strlen(uri);
    if (n >= sizeof path)
        n = sizeof path - 1;
    memcpy(path, uri, n);
    path[n] = '\0';
    c->route = router_match(NULL, param_or(c, "REQUEST_METHOD", "GET"), path, &c->method_mismatch);
    /* A request that will get 404 or 405 may still carry a body: read it
     * under the default limit and answer what is wrong. */
    c->parser.body_limit = (c->route && c->route->max_body) ? c->route->max_body : ROUTE_DEFAULT_BODY;
    if (!c->route || !(c->route->flags & R_ROLES))
        return FED_MORE;
    /* A route that needs a role, asked without a usable token, is answered
     * now: its body (up to 16 MB) is dropped as it comes, never stored, and
     * nginx, which streams large bodies (fastcgi_request_buffering off,
     * router_print_nginx), stops reading it from the client. */
    if (!bearer_plausible(fcgi_param(&c->parser, "HTTP_AUTHORIZATION"))) {
        c->parser.body_limit = 0;
        c->refused = 1;
        reply_error_now(c, 401, "unauthorized", "missing or invalid token");
        return c->close_after || !c->parser.keep_conn ? FED_CLOSE : FED_MORE;
    }
    /* A body that may be large behind a token that looks right: the token
     * is checked (with the stores) before anything more is read. */
    if (c->route->max_body > ROUTE_DEFAULT_BODY)
        return token_check_ready(c, inline_ok, rest, len);
    return FED_MORE;
}

/* Feed bytes to the parser and act on its events. Bytes after a request
 * that is ready are kept in c->pending for when it has been answered.
 * Returns FED_MORE, FED_CLOSE, FED_DISPATCHED, or (inline_ok)
 * FED_READY/FED_AUTH for the caller to answer. */
static int feed(conn_t *c, const uint8_t *data, size_t len, int inline_ok)
{
    while (len) {
        size_t used = 0;
        int rc = fcgi_feed(&c->parser, data, len, &used), d = FED_MORE;
        data += used;
        len -= used;
        if (flush_parser_out(c) < 0)
            return FED_CLOSE;
        if (rc == FCGI_PARAMS_READY) {
            d = params_ready(c, inline_ok, data, len);
        } else if (rc == FCGI_REQUEST_READY && c->refused) {
            /* the refused request's body has ended: on to the next one */
            c->refused = 0;
            conn_next_request(c);
        } else if (rc == FCGI_REQUEST_READY) {
            d = request_ready(c, inline_ok, data, len);
        } else if (rc == FCGI_ERR_PARAMS_TOO_LARGE) {
            c->start_us = mono_us();
            reply_error_now(c, 431, "headers_too_large", "request headers are too large");
            return FED_CLOSE;
        } else if (rc < 0) {
            log_warn("fcgi: protocol error, closing connection");
            return FED_CLOSE;
        }
        if (d != FED_MORE)
            return d;
    }
    return FED_MORE;
}

/* Read what c has; returns FED_WAIT once it is armed again (or closed),
 * else what feed() said. */
static int conn_read(conn_t *c, int inline_ok)
{
    uint8_t buf[READ_CHUNK];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            int rc = feed(c, buf, (size_t)n, inline_ok);
            if (rc != FED_MORE)
                return rc;
            if ((size_t)n < sizeof buf) {
                /* drained, most likely: arming costs no more than the recv
                 * that would say EAGAIN, and bytes already there fire at once */
                conn_arm(c);
                return FED_WAIT;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            conn_arm(c);
            return FED_WAIT;
        }
        return FED_CLOSE;   /* EOF or error */
    }
}

/* Feed the bytes that came after the request just answered. */
static int feed_pending(conn_t *c, int inline_ok)
{
    uint8_t *p = c->pending;
    size_t len = c->pending_len;
    c->pending = NULL;
    c->pending_len = 0;
    int rc = p ? feed(c, p, len, inline_ok) : FED_MORE;
    free(p);
    return rc;
}

/* After a request (auth_done: after its token check) was answered: close,
 * or go on with the bytes pending. */
static int after_answer(conn_t *c, int auth_done, int inline_ok)
{
    if (c->close_after || stopping)
        return FED_CLOSE;
    if (auth_done) {
        /* the token was checked: read the body (or drop it, refused) */
        c->auth_job = 0;
        if (c->refused)
            c->parser.body_limit = 0;
    } else {
        conn_next_request(c);
    }
    return feed_pending(c, inline_ok);
}

/* ---- the fast threads: each runs the loop itself ---- */

/* Answer what c holds (a ready request or token check, or bytes to read)
 * and go on reading until c waits for more, is queued or is closed. The
 * calling fast thread owns c throughout. */
static void serve(worker_t *w, conn_t *c, int rc)
{
    for (;;) {
        if (rc == FED_READY || rc == FED_AUTH) {
            int auth = rc == FED_AUTH;
            metrics_pool(1, 0);
            int parked = 0;
            if (auth)
                handle_auth(w, c);
            else
                parked = handle(w, c);
            metrics_pool(-1, 0);
            if (parked)
                return;    /* still in flight: req_answer_parked ends it */
            atomic_fetch_sub(&in_flight, 1);
            rc = after_answer(c, auth, 1);
            if (rc == FED_MORE) {
                /* what came after it is parsed: wait for the rest (bytes
                 * already in the socket fire at once) */
                conn_arm(c);
                return;
            }
        } else if (rc == FED_MORE) {
            rc = conn_read(c, 1);
        } else if (rc == FED_CLOSE) {
            conn_close(c);
            return;
        } else {
            return;    /* FED_WAIT, FED_DISPATCHED: no longer ours */
        }
    }
}

/* The fast queue's eventfd is armed one-shot: one idle thread wakes per
 * arming, and queue_trypop passes the wake on while items remain. */
static void fastq_arm(int events)
{
    struct epoll_event ev = { .events = (uint32_t)events, .data.ptr = &fastq_fd };
    epoll_ctl(conn_ep, EPOLL_CTL_MOD, fastq_fd, &ev);
}

static void fastq_take_wake(void)
{
    uint64_t v;
    ssize_t n = read(fastq_fd, &v, sizeof v);
    (void)n;
    fastq_arm(EPOLLIN | EPOLLONESHOT);
}

/* A fast thread: requests queued by others first (the loop thread queues
 * only while every fast thread is occupied), then whichever connection
 * is ready. The request read is answered by the thread that read it. */
static void fast_loop(worker_t *w)
{
    while (!atomic_load(&stop_workers) || queue_len(&fast_q)) {
        conn_t *c = queue_trypop(&fast_q);
        if (c) {
            atomic_fetch_add(&fast_occupied, 1);
            serve(w, c, c->auth_job ? FED_AUTH : FED_READY);
            atomic_fetch_sub(&fast_occupied, 1);
            continue;
        }
        struct epoll_event ev;
        if (epoll_wait(conn_ep, &ev, 1, 500) != 1)
            continue;
        if (ev.data.ptr == &fastq_fd) {
            if (!atomic_load(&stop_workers))   /* at the stop it stays set for all */
                fastq_take_wake();
            continue;
        }
        atomic_fetch_add(&fast_occupied, 1);
        serve(w, ev.data.ptr, FED_MORE);
        atomic_fetch_sub(&fast_occupied, 1);
    }
}

/* ---- the slow pool ---- */

/* Give a connection back to the loop thread. */
static void hand_back(conn_t *c)
{
    pthread_mutex_lock(&ret_mu);
    c->next = ret_head;
    ret_head = c;
    pthread_mutex_unlock(&ret_mu);
    uint64_t one = 1;
    ssize_t n = write(wake_fd, &one, sizeof one);
    (void)n;
}

/* The common case after a reply on a kept-alive connection — nothing
 * pending, nothing to close — needs no trip through the loop thread. */
static int rearm_directly(conn_t *c)
{
    if (c->close_after || c->pending || stopping)
        return 0;
    conn_next_request(c);
    conn_arm(c);
    return 1;
}

/* ---- parked requests (park.h) ---- */

struct parked {
    conn_t *c;
};

parked_t *req_park(req_t *r)
{
    worker_t *w = r->worker;
    if (!w || !w->conn || r->replied || r->parked || r->resumed)
        return NULL;
    parked_t *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    p->c = w->conn;
    r->parked = 1;
    return p;
}

/* Send a parked request's reply r, log it, and hand its connection back. */
static void send_parked(conn_t *c, req_t *r)
{
    int64_t us = mono_us() - c->start_us;
    if (send_reply(c, r) < 0 || !c->parser.keep_conn)
        c->close_after = 1;
    metrics_request(router_index(r->route), r->status, us);
    log_request(r, us);
    atomic_fetch_sub(&in_flight, 1);
    /* this thread holds the connection now, as a worker would */
    if (!rearm_directly(c))
        hand_back(c);
}

void req_answer_parked(parked_t *p, const req_t *from)
{
    conn_t *c = p->c;
    free(p);
    req_t r;
    memset(&r, 0, sizeof r);
    r.route = c->route;
    r.method = param_or(c, "REQUEST_METHOD", "-");
    r.request_id = fcgi_param(&c->parser, "REQUEST_ID");
    r.status = from->status;
    r.ctype = from->ctype;
    r.extra_headers = from->extra_headers;
    r.out = from->out;
    r.out_len = from->out_len;
    r.replied = 1;
    send_parked(c, &r);
}

void req_resume_parked(parked_t *p, worker_t *w, arena_t *a, int (*answer)(req_t *r, void *ud), void *ud)
{
    conn_t *c = p->c;
    free(p);
    req_t r;
    build_req(&r, c, w, a);
    r.resumed = 1;
    reply_status(&r, answer(&r, ud));
    if (!r.replied)
        reply_error(&r, 500, "internal", "internal error");
    send_parked(c, &r);
    arena_reset(a);
}

static void slow_loop(worker_t *w)
{
    conn_t *c;
    while ((c = queue_pop(&slow_q))) {
        metrics_pool(0, 1);
        int auth_only = c->auth_job, parked = 0;
        if (auth_only)
            handle_auth(w, c);
        else
            parked = handle(w, c);
        metrics_pool(0, -1);
        if (parked)
            continue;          /* still in flight: req_answer_parked ends it */
        atomic_fetch_sub(&in_flight, 1);
        if (auth_only || !rearm_directly(c))
            hand_back(c);      /* an auth check always goes back: its body is still to read */
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    arena_init(&w->arena);
    if (hooks && hooks->thread_wx_new)
        w->wx = hooks->thread_wx_new();
    if (w->slow)
        slow_loop(w);
    else
        fast_loop(w);
    if (hooks && hooks->thread_wx_free && w->wx)
        hooks->thread_wx_free(w->wx);
    arena_free(&w->arena);
    return NULL;
}

/* ---- the loop thread: accepts, takes the slow pool's returns, and reads
 * requests itself only while every fast thread is occupied ---- */

/* A slow worker finished with c: close it, or parse what is pending and
 * wait. Whole requests found here are queued (this thread answers none). */
static void on_returned(conn_t *c)
{
    int rc = after_answer(c, c->auth_job, 0);
    if (rc == FED_MORE)
        rc = conn_read(c, 0);
    if (rc == FED_CLOSE)
        conn_close(c);
}

static void take_returns(void)
{
    uint64_t v;
    ssize_t rr = read(wake_fd, &v, sizeof v);
    (void)rr;
    pthread_mutex_lock(&ret_mu);
    conn_t *list = ret_head;
    ret_head = NULL;
    pthread_mutex_unlock(&ret_mu);
    while (list) {
        conn_t *next = list->next;
        on_returned(list);
        list = next;
    }
}

/* Logged once a minute at most: a scanner must not fill the log. */
static void untrusted_peer_refused(void)
{
    static int64_t last_us;
    int64_t now = mono_us();
    if (!last_us || now - last_us > 60 * 1000000LL) {
        last_us = now;
        log_warn("refused a FastCGI connection from a peer not in trusted_peers");
    }
}

/* A TCP peer must be a configured nginx (peers.h), and there is room. */
static int peer_admitted(const struct sockaddr_storage *peer, socklen_t plen)
{
    if (peer->ss_family != AF_UNIX &&
        !peers_trusted((const struct sockaddr *)peer, plen, g_config.trusted_peers)) {
        untrusted_peer_refused();
        return 0;
    }
    pthread_mutex_lock(&conn_mu);
    int room = nconns < g_config.max_conns;
    pthread_mutex_unlock(&conn_mu);
    return room;
}

static void conn_add(int fd)
{
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->fd = fd;
    fcgi_parser_init(&c->parser);
    c->parser.max_conns = (uint32_t)g_config.max_conns;
    c->parser.max_reqs = (uint32_t)g_config.max_conns;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&conn_mu);
    c->all_next = all_conns;
    if (all_conns)
        all_conns->all_prev = c;
    all_conns = c;
    nconns++;
    pthread_mutex_unlock(&conn_mu);
    /* from here on any fast thread may take it */
    struct epoll_event ev = { .events = ARM_EVENTS, .data.ptr = c };
    if (epoll_ctl(conn_ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        conn_close(c);
}

static void on_accept(void)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(listen_fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (!peer_admitted(&peer, plen))
            close(fd);
        else
            conn_add(fd);
    }
}

static int all_fast_occupied(void) { return atomic_load(&fast_occupied) >= g_config.workers; }

/* Every fast thread is occupied: this thread reads the ready connections
 * itself, so a burst beyond the workers and the queue is answered 503 at
 * once instead of waiting in the sockets. A connection taken just as a
 * fast thread came free is handed straight back. */
static void guard_round(void)
{
    struct epoll_event evs[16];
    int n = epoll_wait(conn_ep, evs, 16, 5);
    for (int i = 0; i < n; i++) {
        conn_t *c = evs[i].data.ptr;
        if (evs[i].data.ptr == &fastq_fd) {
            fastq_take_wake();
        } else if (!all_fast_occupied()) {
            conn_arm(c);
        } else {
            int rc = conn_read(c, 0);
            if (rc == FED_CLOSE)
                conn_close(c);
        }
    }
}

/* A queued request must not wait for a thread that sleeps in epoll: wake
 * one while items wait and a fast thread is free. */
static void kick_fast_queue(void)
{
    if (queue_len(&fast_q) && !all_fast_occupied()) {
        uint64_t one = 1;
        ssize_t n = write(fastq_fd, &one, sizeof one);
        (void)n;
    }
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* The background thread: periodic work of the application (outbox drain,
 * token refresh...) on stores of its own. */
static void *background_main(void *arg)
{
    (void)arg;
    store_t s = { db_new(), kv_new(), NULL };
    while (!atomic_load(&stop_workers)) {
        if (hooks && hooks->background)
            hooks->background(s.db, s.kv);
        log_flush();    /* the request lines gathered (log.h) */
        usleep(200 * 1000);
    }
    db_free(s.db);
    kv_free(s.kv);
    return NULL;
}

/* ---- start and stop ---- */

typedef struct {
    worker_t *ws;
    int nw;
    store_t *stores;
    pthread_t bg;
} threads_t;

static void epoll_add(int ep, int fd, int events, void *tag)
{
    struct epoll_event ev = { .events = (uint32_t)events, .data.ptr = tag };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        abort();
}

/* The listener, the signals, the two epoll sets and the queues. */
static int open_loop(void)
{
    listen_fd = listener_open(g_config.listen);
    if (listen_fd < 0) {
        log_error("cannot listen on %s: %s", g_config.listen, strerror(errno));
        return -1;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    main_ep = epoll_create1(EPOLL_CLOEXEC);
    conn_ep = epoll_create1(EPOLL_CLOEXEC);
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    fastq_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (main_ep < 0 || conn_ep < 0 || wake_fd < 0 || fastq_fd < 0)
        abort();
    epoll_add(main_ep, listen_fd, EPOLLIN, &listen_fd);
    epoll_add(main_ep, wake_fd, EPOLLIN, &wake_fd);
    epoll_add(conn_ep, fastq_fd, EPOLLIN | EPOLLONESHOT, &fastq_fd);
    queue_init(&fast_q, g_config.queue_max, fastq_fd);
    queue_init(&slow_q, g_config.slow_workers * 2, -1);
    metrics_init(g_nroutes);
    return 0;
}

static void start_threads(threads_t *t)
{
    t->stores = calloc((size_t)g_config.slow_stores, sizeof *t->stores);
    t->nw = g_config.workers + g_config.slow_workers;
    t->ws = calloc((size_t)t->nw, sizeof *t->ws);
    if (!t->stores || !t->ws)
        abort();
    for (int i = 0; i < g_config.slow_stores; i++) {
        t->stores[i].db = db_new();
        t->stores[i].kv = kv_new();
        store_pool_put(&t->stores[i]);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    for (int i = 0; i < t->nw; i++) {
        worker_t *w = &t->ws[i];
        w->id = i;
        w->slow = i >= g_config.workers;
        if (!w->slow) {
            w->own.db = db_new();
            w->own.kv = kv_new();
        }
        pthread_create(&w->thread, &attr, worker_main, w);
    }
    pthread_create(&t->bg, &attr, background_main, NULL);
    pthread_attr_destroy(&attr);
}

/* Runs until a signal, then until the requests in flight are answered
 * (30 s at most). */
static void main_loop(void)
{
    struct epoll_event evs[64];
    int64_t stop_deadline = 0;
    while (!stopping || atomic_load(&in_flight) > 0) {
        if (stopping && !stop_deadline) {
            /* Take no new connections; finish what is in flight. */
            epoll_ctl(main_ep, EPOLL_CTL_DEL, listen_fd, NULL);
            close(listen_fd);
            listen_fd = -1;
            stop_deadline = mono_us() + 30 * 1000000LL;
            log_info("stopping: %d requests in flight", atomic_load(&in_flight));
        }
        if (stop_deadline && mono_us() > stop_deadline)
            break;
        int guard = all_fast_occupied();
        int n = epoll_wait(main_ep, evs, 64, guard ? 0 : 10);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &listen_fd && listen_fd >= 0)
                on_accept();
            else if (evs[i].data.ptr == &wake_fd)
                take_returns();
        }
        if (guard)
            guard_round();
        kick_fast_queue();
    }
}

static void stop_threads(threads_t *t)
{
    atomic_store(&stop_workers, 1);
    /* level-triggered from now on: every fast thread sees it */
    fastq_arm(EPOLLIN);
    uint64_t one = 1;
    ssize_t wr = write(fastq_fd, &one, sizeof one);
    (void)wr;
    queue_stop(&slow_q);
    for (int i = 0; i < t->nw; i++) {
        pthread_join(t->ws[i].thread, NULL);
        db_free(t->ws[i].own.db);
        kv_free(t->ws[i].own.kv);
    }
    pthread_join(t->bg, NULL);
}

static void close_everything(threads_t *t)
{
    /* Every worker has stopped: what is left open is idle or was handed
     * back (still on the return list, which is forgotten: every connection
     * on it is on all_conns too); close it all. */
    ret_head = NULL;
    while (all_conns)
        conn_close(all_conns);
    close(wake_fd);
    close(fastq_fd);
    close(conn_ep);
    close(main_ep);
    queue_free(&fast_q);
    queue_free(&slow_q);
    for (int i = 0; i < g_config.slow_stores; i++) {
        db_free(t->stores[i].db);
        kv_free(t->stores[i].kv);
    }
    free(t->stores);
    free(t->ws);
}

int server_run(const server_hooks_t *h)
{
    hooks = h;
    /* Bodies above 1 MiB get their own mapping, returned to the system when
     * freed; without a fixed threshold glibc raises it after the first
     * large free, and a burst of uploads would stay in the heap. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    if (open_loop() < 0)
        return -1;
    log_batch(1);
    threads_t t;
    start_threads(&t);
    if (hooks && hooks->start)
        hooks->start();
    log_info("listening on %s with %d fast and %d slow workers", g_config.listen,
             g_config.workers, g_config.slow_workers);
    main_loop();
    stop_threads(&t);
    if (hooks && hooks->stop)
        hooks->stop();
    close_everything(&t);
    log_info("stopped");
    log_batch(0);
    return 0;
}
