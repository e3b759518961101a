/* server.c: listener, epoll loop, queues and worker threads (see server.h).
 *
 * Ownership: a connection belongs to the loop thread while it is being read,
 * and to exactly one worker from the moment its request is queued until the
 * worker hands it back through the return list (woken by an eventfd). So no
 * connection state is ever touched by two threads at once, and no lock is
 * held on it. */
#define _GNU_SOURCE
#include "server/server.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/fcgi.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include "server/peers.h"

#include <fcntl.h>
#include <malloc.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define WRITE_TIMEOUT_MS 30000

typedef struct conn {
    int fd;
    fcgi_parser_t parser;
    uint8_t *pending;           /* read but not yet fed to the parser */
    size_t pending_len;
    const route_t *route;       /* matched when PARAMS ended */
    int method_mismatch;
    int close_after;            /* worker decided the connection ends */
    int refused;                /* answered at PARAMS: the body is dropped unread */
    int auth_job;               /* with a worker to check the token before the body is read */
    int64_t start_us;
    struct conn *next;          /* return list link */
    struct conn *all_prev, *all_next; /* every open connection (loop thread) */
} conn_t;

typedef struct {
    conn_t **items;
    int cap, head, len;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} queue_t;

static queue_t fast_q, slow_q;
static int epfd = -1, listen_fd = -1, wake_fd = -1;
static pthread_mutex_t ret_mu = PTHREAD_MUTEX_INITIALIZER;
static conn_t *ret_head;
static volatile sig_atomic_t stopping;
static _Atomic int in_flight;      /* requests queued or being handled */
static _Atomic int stop_workers;
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

/* ---- queues ---- */

static void queue_init(queue_t *q, int cap)
{
    q->items = calloc((size_t)cap, sizeof *q->items);
    if (!q->items)
        abort();
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

static int queue_push(queue_t *q, conn_t *c)
{
    pthread_mutex_lock(&q->mu);
    if (q->len == q->cap) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    q->items[(q->head + q->len++) % q->cap] = c;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Blocks until an item arrives or the workers are told to stop (NULL). */
static conn_t *queue_pop(queue_t *q)
{
    pthread_mutex_lock(&q->mu);
    while (!q->len && !atomic_load(&stop_workers))
        pthread_cond_wait(&q->cv, &q->mu);
    conn_t *c = NULL;
    if (q->len) {
        c = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->len--;
    }
    pthread_mutex_unlock(&q->mu);
    return c;
}

static void queue_wake_all(queue_t *q)
{
    pthread_mutex_lock(&q->mu);
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

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
    if (c->route) {
        int mm;
        router_match(r, r->method, r->path, &mm);
    }
}

static void handle(worker_t *w, conn_t *c)
{
    req_t r;
    build_req(&r, c, w, &w->arena);
    if (c->parser.body_too_large)
        reply_error(&r, 413, "body_too_large", "the body is larger than this route accepts");
    else if (!c->route && c->method_mismatch)
        reply_error(&r, 405, "method_not_allowed", "this path does not take that method");
    else
        router_dispatch(&r);
    if (w->slow)
        req_release_stores(&r);
    int64_t us = mono_us() - c->start_us;
    if (send_reply(c, &r) < 0 || !c->parser.keep_conn)
        c->close_after = 1;
    metrics_request(router_index(r.route), r.status, us);
    log_request(&r, us);
    arena_reset(&w->arena);
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

/* The common case after a reply on a kept-alive connection — nothing
 * pending, nothing to close — needs no trip through the loop thread: reset
 * the parser and re-arm the descriptor here. After epoll_ctl the loop
 * thread owns the connection again, so nothing may touch c afterwards.
 * Returns 1 when done, 0 when the loop thread must take it back. */
static int rearm_directly(conn_t *c)
{
    if (c->close_after || c->pending || stopping)
        return 0;
    fcgi_parser_reset_request(&c->parser);
    release_big_buffers(c);
    c->route = NULL;
    c->method_mismatch = 0;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        c->close_after = 1;
        return 0;
    }
    return 1;
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    arena_init(&w->arena);
    if (hooks && hooks->thread_wx_new)
        w->wx = hooks->thread_wx_new();
    queue_t *q = w->slow ? &slow_q : &fast_q;
    for (;;) {
        conn_t *c = queue_pop(q);
        if (!c)
            break;
        metrics_pool(w->slow ? 0 : 1, w->slow ? 1 : 0);
        int auth_only = c->auth_job;
        if (auth_only)
            handle_auth(w, c);
        else
            handle(w, c);
        metrics_pool(w->slow ? 0 : -1, w->slow ? -1 : 0);
        atomic_fetch_sub(&in_flight, 1);
        if (auth_only || !rearm_directly(c))
            hand_back(c);      /* an auth check always goes back: its body is still to read */
    }
    if (hooks && hooks->thread_wx_free && w->wx)
        hooks->thread_wx_free(w->wx);
    arena_free(&w->arena);
    return NULL;
}

/* ---- the loop thread ---- */

static void conn_close(conn_t *c)
{
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        all_conns = c->all_next;
    if (c->all_next)
        c->all_next->all_prev = c->all_prev;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    fcgi_parser_free(&c->parser);
    free(c->pending);
    free(c);
    nconns--;
}

static void conn_arm(conn_t *c)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };
    if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        conn_close(c);
}

static int flush_parser_out(conn_t *c)
{
    if (!c->parser.out_len)
        return 0;
    int rc = write_all(c->fd, c->parser.out, c->parser.out_len);
    c->parser.out_len = 0;
    return rc;
}

/* Answer from the loop thread without a worker (overload, oversize params). */
static void loop_reply_error(conn_t *c, int status, const char *code, const char *msg)
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

enum { FED_MORE, FED_DISPATCHED, FED_CLOSE };

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

/* Queue a complete request, or refuse it at once when the pool is full. */
static int dispatch(conn_t *c)
{
    int slow = c->route && (c->route->flags & R_SLOW);
    atomic_fetch_add(&in_flight, 1);
    if (queue_push(slow ? &slow_q : &fast_q, c) == 0) {
        metrics_queue_depth(fast_q.len, slow_q.len);
        return FED_DISPATCHED;
    }
    atomic_fetch_sub(&in_flight, 1);
    metrics_overloaded();
    loop_reply_error(c, 503, "overloaded", "the server is busy; try again in a moment");
    if (c->close_after || !c->parser.keep_conn)
        return FED_CLOSE;
    fcgi_parser_reset_request(&c->parser);
    return FED_MORE;
}

/* Queue the token check of a request whose params just ended (the bytes
 * after them wait in c->pending). The queue full: 503 at once, and the
 * body is dropped as it comes. */
static int dispatch_auth(conn_t *c, const uint8_t *rest, size_t len)
{
    int slow = (c->route->flags & R_SLOW) != 0;
    if (len) {
        uint8_t *p = malloc(len);
        if (!p)
            abort();
        memcpy(p, rest, len);
        free(c->pending);
        c->pending = p;
        c->pending_len = len;
    }
    c->auth_job = 1;
    atomic_fetch_add(&in_flight, 1);
    if (queue_push(slow ? &slow_q : &fast_q, c) == 0)
        return FED_DISPATCHED;
    atomic_fetch_sub(&in_flight, 1);
    c->auth_job = 0;
    free(c->pending);          /* the caller goes on with the same bytes */
    c->pending = NULL;
    c->pending_len = 0;
    metrics_overloaded();
    loop_reply_error(c, 503, "overloaded", "the server is busy; try again in a moment");
    c->parser.body_limit = 0;
    c->refused = 1;
    return c->close_after || !c->parser.keep_conn ? FED_CLOSE : FED_MORE;
}

/* Feed bytes to the parser; acts on its events. Bytes left after a
 * dispatched request are kept in c->pending for when the worker is done. */
static int feed(conn_t *c, const uint8_t *data, size_t len)
{
    while (len) {
        size_t used = 0;
        int rc = fcgi_feed(&c->parser, data, len, &used);
        data += used;
        len -= used;
        if (flush_parser_out(c) < 0)
            return FED_CLOSE;
        if (rc == FCGI_PARAMS_READY) {
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
            /* A request that will get 404 or 405 may still carry a body:
             * read it under the default limit and answer what is wrong. */
            c->parser.body_limit = (c->route && c->route->max_body) ? c->route->max_body
                                                                    : ROUTE_DEFAULT_BODY;
            /* A route that needs a role, asked without a usable token, is
             * answered now: its body (up to 16 MB) is dropped as it comes,
             * never stored, and nginx, which streams large bodies
             * (fastcgi_request_buffering off, router_print_nginx), stops
             * reading it from the client. A token that looks right is
             * checked by a worker, which needs the stores. */
            if (c->route && (c->route->flags & R_ROLES) &&
                !bearer_plausible(fcgi_param(&c->parser, "HTTP_AUTHORIZATION"))) {
                c->parser.body_limit = 0;
                c->refused = 1;
                loop_reply_error(c, 401, "unauthorized", "missing or invalid token");
                if (c->close_after || !c->parser.keep_conn)
                    return FED_CLOSE;
            } else if (c->route && (c->route->flags & R_ROLES) &&
                       c->route->max_body > ROUTE_DEFAULT_BODY) {
                /* A body that may be large behind a token that looks
                 * right: a worker checks the token first, and the loop
                 * reads nothing more of this connection until it has. */
                int d = dispatch_auth(c, data, len);
                if (d != FED_MORE)
                    return d;
            }
        } else if (rc == FCGI_REQUEST_READY && c->refused) {
            /* the refused request's body has ended: on to the next one */
            c->refused = 0;
            c->route = NULL;
            c->method_mismatch = 0;
            fcgi_parser_reset_request(&c->parser);
            release_big_buffers(c);
        } else if (rc == FCGI_REQUEST_READY) {
            if (len) {
                uint8_t *p = malloc(len);
                if (!p)
                    abort();
                memcpy(p, data, len);
                free(c->pending);
                c->pending = p;
                c->pending_len = len;
            }
            int d = dispatch(c);
            if (d != FED_MORE)
                return d;
        } else if (rc == FCGI_ERR_PARAMS_TOO_LARGE) {
            c->start_us = mono_us();
            loop_reply_error(c, 431, "headers_too_large", "request headers are too large");
            return FED_CLOSE;
        } else if (rc < 0) {
            log_warn("fcgi: protocol error, closing connection");
            return FED_CLOSE;
        }
    }
    return FED_MORE;
}

static void on_readable(conn_t *c)
{
    uint8_t buf[READ_CHUNK];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n > 0) {
            int rc = feed(c, buf, (size_t)n);
            if (rc == FED_CLOSE) {
                conn_close(c);
                return;
            }
            if (rc == FED_DISPATCHED)
                return;   /* the worker owns it now */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            conn_arm(c);
            return;
        }
        conn_close(c);   /* EOF or error */
        return;
    }
}

/* A worker finished with c: close it, or parse what is pending and wait. */
static void on_returned(conn_t *c)
{
    if (c->close_after || stopping) {
        conn_close(c);
        return;
    }
    if (c->auth_job) {
        /* the token was checked: read the body (or drop it, refused) */
        c->auth_job = 0;
        if (c->refused)
            c->parser.body_limit = 0;
    } else {
        fcgi_parser_reset_request(&c->parser);
        release_big_buffers(c);
        c->route = NULL;
        c->method_mismatch = 0;
    }
    uint8_t *p = c->pending;
    size_t len = c->pending_len;
    c->pending = NULL;
    c->pending_len = 0;
    int rc = p ? feed(c, p, len) : FED_MORE;
    free(p);
    if (rc == FED_CLOSE)
        conn_close(c);
    else if (rc == FED_MORE)
        conn_arm(c);
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

static void on_accept(void)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(listen_fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        /* a TCP peer must be a configured nginx (peers.h) */
        if (peer.ss_family != AF_UNIX &&
            !peers_trusted((struct sockaddr *)&peer, plen, g_config.trusted_peers)) {
            untrusted_peer_refused();
            close(fd);
            continue;
        }
        if (nconns >= g_config.max_conns) {
            close(fd);
            continue;
        }
        conn_t *c = calloc(1, sizeof *c);
        if (!c)
            abort();
        c->fd = fd;
        fcgi_parser_init(&c->parser);
        c->parser.max_conns = (uint32_t)g_config.max_conns;
        c->parser.max_reqs = (uint32_t)g_config.max_conns;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            fcgi_parser_free(&c->parser);
            free(c);
            continue;
        }
        c->all_next = all_conns;
        if (all_conns)
            all_conns->all_prev = c;
        all_conns = c;
        nconns++;
    }
}

static int open_listener(const char *spec)
{
    int fd;
    if (strncmp(spec, "unix:", 5) == 0) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(spec + 5) >= sizeof sa.sun_path)
            return -1;
        strcpy(sa.sun_path, spec + 5);
        unlink(sa.sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
        chmod(sa.sun_path, 0660);
    } else {
        char host[128];
        const char *colon = strrchr(spec, ':');
        if (!colon || (size_t)(colon - spec) >= sizeof host)
            return -1;
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1)) };
        if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
            return -1;
        fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            if (fd >= 0)
                close(fd);
            return -1;
        }
    }
    if (listen(fd, 4096) < 0) {
        close(fd);
        return -1;
    }
    return fd;
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
        usleep(200 * 1000);
    }
    db_free(s.db);
    kv_free(s.kv);
    return NULL;
}

int server_run(const server_hooks_t *h)
{
    hooks = h;
    /* Bodies above 1 MiB get their own mapping, returned to the system when
     * freed; without a fixed threshold glibc raises it after the first
     * large free, and a burst of uploads would stay in the heap. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    listen_fd = open_listener(g_config.listen);
    if (listen_fd < 0) {
        log_error("cannot listen on %s: %s", g_config.listen, strerror(errno));
        return -1;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listen_fd };
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    ev.data.ptr = &wake_fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, wake_fd, &ev);

    queue_init(&fast_q, g_config.queue_max);
    queue_init(&slow_q, g_config.slow_workers * 2);
    metrics_init(g_nroutes);

    store_t *stores = calloc((size_t)g_config.slow_stores, sizeof *stores);
    for (int i = 0; i < g_config.slow_stores; i++) {
        stores[i].db = db_new();
        stores[i].kv = kv_new();
        store_pool_put(&stores[i]);
    }
    int nw = g_config.workers + g_config.slow_workers;
    worker_t *ws = calloc((size_t)nw, sizeof *ws);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    for (int i = 0; i < nw; i++) {
        ws[i].id = i;
        ws[i].slow = i >= g_config.workers;
        if (!ws[i].slow) {
            ws[i].own.db = db_new();
            ws[i].own.kv = kv_new();
        }
        pthread_create(&ws[i].thread, &attr, worker_main, &ws[i]);
    }
    pthread_t bg;
    pthread_create(&bg, &attr, background_main, NULL);
    if (hooks && hooks->start)
        hooks->start();
    log_info("listening on %s with %d fast and %d slow workers", g_config.listen,
             g_config.workers, g_config.slow_workers);

    struct epoll_event evs[256];
    int64_t stop_deadline = 0;
    while (!stopping || atomic_load(&in_flight) > 0) {
        if (stopping && !stop_deadline) {
            /* Take no new connections; finish what is in flight. */
            epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, NULL);
            close(listen_fd);
            listen_fd = -1;
            stop_deadline = mono_us() + 30 * 1000000LL;
            log_info("stopping: %d requests in flight", atomic_load(&in_flight));
        }
        if (stop_deadline && mono_us() > stop_deadline)
            break;
        int n = epoll_wait(epfd, evs, 256, stopping ? 50 : 1000);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &listen_fd) {
                if (listen_fd >= 0)
                    on_accept();
            } else if (p == &wake_fd) {
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
            } else {
                on_readable(p);
            }
        }
    }
    atomic_store(&stop_workers, 1);
    queue_wake_all(&fast_q);
    queue_wake_all(&slow_q);
    for (int i = 0; i < nw; i++) {
        pthread_join(ws[i].thread, NULL);
        db_free(ws[i].own.db);
        kv_free(ws[i].own.kv);
    }
    pthread_join(bg, NULL);
    if (hooks && hooks->stop)
        hooks->stop();
    /* Every worker has stopped: what is left open is idle or was handed
     * back; close it all. */
    while (all_conns)
        conn_close(all_conns);
    close(wake_fd);
    close(epfd);
    free(fast_q.items);
    free(slow_q.items);
    for (int i = 0; i < g_config.slow_stores; i++) {
        db_free(stores[i].db);
        kv_free(stores[i].kv);
    }
    free(stores);
    free(ws);
    log_info("stopped");
    return 0;
}
