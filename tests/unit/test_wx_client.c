/* test_wx_client.c: the WeChat client against the real simulator and a real
 * Redis, both started here (python3 wx/wxsim.py, redis-server) and stopped
 * at exit; PR_SET_PDEATHSIG stops them too if this program dies.
 *
 * Run from the repository root (the simulator is wx/wxsim.py, or $WXSIM). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "server/config.h"
#include "server/log.h"
#include "tests/unit/check.h"
#include "wx/wx_client.h"
#include "wx/wx_token.h"

config_t g_config;

static pid_t sim_pid = -1, redis_pid = -1;
static char sim_dir[64];
static char sim_base[128];
static char log_path[128];
static int redis_port;
static redisContext *g_rc;    /* the test's own connection: flush, inspect */
static pid_t main_pid;

#define SIM_APPID "wxdemoappid0000001"
#define SIM_SECRET "demosecret0000000000000000000001"

/* ---- processes ---------------------------------------------------------- */

static void stop_children(void)
{
    if (getpid() != main_pid)
        return;
    if (sim_pid > 0) {
        kill(sim_pid, SIGTERM);
        waitpid(sim_pid, NULL, 0);
        sim_pid = -1;
    }
    if (redis_pid > 0) {
        kill(redis_pid, SIGTERM);
        waitpid(redis_pid, NULL, 0);
        redis_pid = -1;
    }
    if (sim_dir[0]) {
        DIR *d = opendir(sim_dir);
        if (d) {
            struct dirent *e;
            char p[512];
            while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                    continue;
                snprintf(p, sizeof p, "%s/%s", sim_dir, e->d_name);
                unlink(p);
            }
            closedir(d);
        }
        rmdir(sim_dir);
        sim_dir[0] = '\0';
    }
}

static void on_signal(int sig)
{
    stop_children();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* fork+exec argv with stdout to out_fd (-1: /dev/null); dies with us. */
static pid_t spawn(char *const argv[], int out_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        if (fd > 2)
            close(fd);
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &l) < 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    close(s);
    return ntohs(a.sin_port);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int start_sim(void)
{
    snprintf(sim_dir, sizeof sim_dir, "/tmp/wxsimtest.XXXXXX");
    if (!mkdtemp(sim_dir)) {
        sim_dir[0] = '\0';
        return -1;
    }
    const char *script = getenv("WXSIM") ? getenv("WXSIM") : "wx/wxsim.py";
    int p[2];
    if (pipe(p) < 0)
        return -1;
    char *argv[] = { "python3", (char *)script, "--port", "0", "--dir", sim_dir, NULL };
    sim_pid = spawn(argv, p[1]);
    close(p[1]);
    char buf[512];
    size_t len = 0;
    long long t0 = now_ms();
    int ok = 0;
    while (!ok && now_ms() - t0 < 30000 && len < sizeof buf - 1) {
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        if (poll(&pf, 1, 500) <= 0)
            continue;
        ssize_t n = read(p[0], buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        char *l = strstr(buf, "wxsim listening on ");
        if (l && strchr(l, '\n')) {
            *strchr(l, '\n') = '\0';
            snprintf(sim_base, sizeof sim_base, "%s", l + strlen("wxsim listening on "));
            ok = 1;
        }
    }
    close(p[0]); /* the simulator prints nothing more on stdout */
    return ok ? 0 : -1;
}

static redisContext *redis_connect(void)
{
    struct timeval tv = { 1, 0 };
    return redisConnectWithTimeout("127.0.0.1", redis_port, tv);
}

static int start_redis(void)
{
    redis_port = free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", redis_port);
    char *argv[] = { "redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                     "--maxclients", "2000", NULL };
    redis_pid = spawn(argv, -1);
    long long t0 = now_ms();
    while (now_ms() - t0 < 10000) {
        redisContext *rc = redis_connect();
        if (rc && !rc->err) {
            redisReply *r = redisCommand(rc, "PING");
            int ok = r && r->type == REDIS_REPLY_STATUS;
            if (r)
                freeReplyObject(r);
            if (ok) {
                g_rc = rc;
                return 0;
            }
        }
        if (rc)
            redisFree(rc);
        usleep(50 * 1000);
    }
    return -1;
}

/* ---- simulator control ---------------------------------------------------- */

typedef struct { char *p; size_t n; } sbuf_t;

static size_t sbuf_write(char *d, size_t s, size_t n, void *ud)
{
    sbuf_t *b = ud;
    char *np = realloc(b->p, b->n + s * n + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, s * n);
    b->p = np;
    b->n += s * n;
    b->p[b->n] = '\0';
    return s * n;
}

/* A control call; the parsed JSON reply (caller decrefs) or NULL. */
static json_t *sim(const char *path, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", sim_base, path);
    char ca[128];
    snprintf(ca, sizeof ca, "%s/ca.pem", sim_dir);
    CURL *h = curl_easy_init();
    sbuf_t b = { 0 };
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sbuf_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_cleanup(h);
    json_t *j = cc == CURLE_OK && b.p ? json_loads(b.p, 0, NULL) : NULL;
    if (!j)
        fprintf(stderr, "  sim %s failed: %s\n", path, cc ? curl_easy_strerror(cc) : "bad JSON");
    free(b.p);
    return j;
}

static void sim_post(const char *path, const char *body)
{
    json_decref(sim(path, body ? body : "{}"));
}

static long stat_int(const char *field)
{
    json_t *s = sim("/__sim/stats", NULL);
    long v = (long)json_integer_value(json_object_get(s, field));
    json_decref(s);
    return v;
}

static long calls(const char *path)
{
    json_t *s = sim("/__sim/stats", NULL);
    long v = (long)json_integer_value(json_object_get(json_object_get(s, "calls"), path));
    json_decref(s);
    return v;
}

static void fault(const char *path, const char *errcode, int count, int latency_ms)
{
    char body[256];
    snprintf(body, sizeof body, "{\"path\":\"%s\",\"errcode\":%s,\"count\":%d,\"latency_ms\":%d}",
             path, errcode, count, latency_ms);
    sim_post("/__sim/faults", body);
}

static void redis_flush(void)
{
    redisReply *r = redisCommand(g_rc, "FLUSHALL");
    if (r)
        freeReplyObject(r);
}

/* The token cached in Redis into out ("" when none). */
static void cached_token(char *out, size_t outsz)
{
    out[0] = '\0';
    redisReply *r = redisCommand(g_rc, "GET wx:token:%s", SIM_APPID);
    if (r && r->type == REDIS_REPLY_STRING)
        snprintf(out, outsz, "%s", r->str);
    if (r)
        freeReplyObject(r);
}

/* Every test starts from a clean simulator, Redis and process cache. */
static void fresh(void)
{
    sim_post("/__sim/reset", NULL);
    redis_flush();
    wx_token_local_reset();
}

/* Things that must never reach the log. */
static char secrets_seen[64][600];
static int n_secrets;
static pthread_mutex_t secrets_mu = PTHREAD_MUTEX_INITIALIZER;

static void remember_secret(const char *s)
{
    pthread_mutex_lock(&secrets_mu);
    if (s && *s && n_secrets < 64)
        snprintf(secrets_seen[n_secrets++], sizeof secrets_seen[0], "%s", s);
    pthread_mutex_unlock(&secrets_mu);
}

static int login(wx_client_t *c, const char *code, wx_session_t *s, wx_err_t *e)
{
    int x = wx_code2session(c, code, s, e);
    if (x == 0)
        remember_secret(s->session_key);
    return x;
}

/* ---- code2session --------------------------------------------------------- */

TEST(test_login_ok)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    CHECK_INT(login(c, "test:alice", &s, &e), 0);
    CHECK_STR(s.openid, "alice");
    CHECK_STR(s.unionid, "u_alice");
    CHECK_INT(strlen(s.session_key), 24);
    CHECK_INT(e.http_status, 0);
    /* a second login on the same handle reuses the connection */
    CHECK_INT(login(c, "test:alice:2", &s, &e), 0);
    CHECK_STR(s.openid, "alice");
    CHECK_INT(calls("/sns/jscode2session"), 2);
    wx_client_free(c);
}

TEST(test_login_reused_code)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    CHECK_INT(login(c, "test:bob:1", &s, &e), 0);
    CHECK_INT(login(c, "test:bob:1", &s, &e), -1);
    CHECK_INT(e.http_status, 400);
    CHECK_STR(e.code, "invalid_code");
    CHECK_INT(e.wx_errcode, 40163);
    CHECK_INT(e.retry_after_s, 0);
    CHECK_STR(s.openid, "");
    wx_client_free(c);
}

TEST(test_login_invalid_code)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    CHECK_INT(login(c, "nonsense", &s, &e), -1);
    CHECK_INT(e.http_status, 400);
    CHECK_STR(e.code, "invalid_code");
    CHECK_INT(e.wx_errcode, 40029);
    /* rejected locally, WeChat not asked */
    CHECK_INT(login(c, "", &s, &e), -1);
    CHECK_STR(e.code, "invalid_code");
    CHECK_INT(login(c, "has space", &s, &e), -1);
    CHECK_STR(e.code, "invalid_code");
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(login(c, big, &s, &e), -1);
    CHECK_STR(e.code, "invalid_code");
    CHECK_INT(calls("/sns/jscode2session"), 1);
    /* the query is escaped: '&' in a code cannot add parameters */
    CHECK_INT(login(c, "test:x&grant_type=y", &s, &e), 0);
    CHECK_STR(s.openid, "x&grant_type=y");
    wx_client_free(c);
}

TEST(test_login_rate_limited_and_risky)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    fault("/sns/jscode2session", "45011", 1, 0);
    CHECK_INT(login(c, "test:carol", &s, &e), -1);
    CHECK_INT(e.http_status, 429);
    CHECK_STR(e.code, "rate_limited");
    CHECK_INT(e.retry_after_s, WX_RATE_LIMIT_RETRY_S);
    CHECK_INT(e.wx_errcode, 45011);
    fault("/sns/jscode2session", "40226", 1, 0);
    CHECK_INT(login(c, "test:carol", &s, &e), -1);
    CHECK_INT(e.http_status, 403);
    CHECK_STR(e.code, "risky_user");
    CHECK_INT(calls("/sns/jscode2session"), 2); /* neither retried */
    /* faulted calls did not use the code up */
    CHECK_INT(login(c, "test:carol", &s, &e), 0);
    wx_client_free(c);
}

TEST(test_login_busy_then_ok)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    unsigned long r0 = atomic_load(&wx_stat_retries);
    fault("/sns/jscode2session", "-1", 2, 0);
    CHECK_INT(login(c, "test:dave", &s, &e), 0);
    CHECK_STR(s.openid, "dave");
    CHECK_INT(calls("/sns/jscode2session"), 3);
    CHECK_INT(atomic_load(&wx_stat_retries) - r0, 2);
    wx_client_free(c);
}

TEST(test_login_busy_thrice)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    fault("/sns/jscode2session", "-1", 3, 0);
    long long t0 = now_ms();
    CHECK_INT(login(c, "test:erin", &s, &e), -1);
    CHECK(now_ms() - t0 < WX_RETRY_BUDGET_MS);
    CHECK_INT(e.http_status, 503);
    CHECK_STR(e.code, "wechat_unavailable");
    CHECK_INT(e.retry_after_s, 1);
    CHECK_INT(e.wx_errcode, -1);
    CHECK_INT(calls("/sns/jscode2session"), 3);
    wx_client_free(c);
}

TEST(test_login_drop_not_retried)
{
    fresh();
    wx_session_t s;
    wx_err_t e;
    /* on a fresh connection: curl sees an empty reply */
    wx_client_t *c = wx_client_new();
    fault("/sns/jscode2session", "\"drop\"", 1, 0);
    CHECK_INT(login(c, "test:frank:1", &s, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_STR(e.code, "wechat_unavailable");
    CHECK_INT(calls("/sns/jscode2session"), 1);
    /* on a kept-alive connection: curl would silently resend; it must not */
    CHECK_INT(login(c, "test:frank:2", &s, &e), 0);
    CHECK_INT(calls("/sns/jscode2session"), 2);
    fault("/sns/jscode2session", "\"drop\"", 1, 0);
    CHECK_INT(login(c, "test:frank:3", &s, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(calls("/sns/jscode2session"), 3);
    /* and the client recovers */
    CHECK_INT(login(c, "test:frank:4", &s, &e), 0);
    wx_client_free(c);
}

TEST(test_login_timeout)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    CHECK_INT(login(c, "test:gina:1", &s, &e), 0); /* warm connection */
    int saved = g_config.wx_timeout_ms;
    g_config.wx_timeout_ms = 300;
    fault("/sns/jscode2session", "null", 1, 1000);
    long long t0 = now_ms();
    CHECK_INT(login(c, "test:gina:2", &s, &e), -1);
    long long ms = now_ms() - t0;
    CHECK(ms >= 250 && ms < 900);
    CHECK_INT(e.http_status, 503);
    CHECK_STR(e.code, "wechat_unavailable");
    CHECK_INT(e.retry_after_s, 1);
    CHECK_INT(calls("/sns/jscode2session"), 2); /* not retried */
    g_config.wx_timeout_ms = saved;
    wx_client_free(c);
}

TEST(test_login_connect_refused_retried)
{
    char saved[256];
    memcpy(saved, g_config.wx_base_url, sizeof saved);
    snprintf(g_config.wx_base_url, sizeof g_config.wx_base_url, "https://127.0.0.1:%d", free_port());
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    unsigned long r0 = atomic_load(&wx_stat_retries);
    long long t0 = now_ms();
    CHECK_INT(login(c, "test:hank", &s, &e), -1);
    CHECK(now_ms() - t0 < WX_RETRY_BUDGET_MS);
    CHECK_INT(e.http_status, 503);
    CHECK_STR(e.code, "wechat_unavailable");
    CHECK_INT(atomic_load(&wx_stat_retries) - r0, 2); /* never sent: safe to repeat */
    memcpy(g_config.wx_base_url, saved, sizeof saved);
    wx_client_free(c);
}

TEST(test_bad_secret)
{
    fresh();
    char saved[128];
    memcpy(saved, g_config.wx_secret, sizeof saved);
    snprintf(g_config.wx_secret, sizeof g_config.wx_secret, "wrongsecret");
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    CHECK_INT(login(c, "test:ivan", &s, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(e.wx_errcode, 40125);
    char phone[32];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13800000000", phone, sizeof phone, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(e.wx_errcode, 40125);
    memcpy(g_config.wx_secret, saved, sizeof saved);
    wx_client_free(c);
}

/* ---- access token ------------------------------------------------------------ */

TEST(test_token_cached)
{
    fresh();
    wx_client_t *c1 = wx_client_new(), *c2 = wx_client_new();
    redisContext *rc2 = redis_connect();
    wx_err_t e;
    char phone[32], code[64];
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(code, sizeof code, "phone:1380000%04d", i);
        ok += wx_phone_number(i % 2 ? c1 : c2, WX_REDIS_FIXED(i % 2 ? g_rc : rc2), code, phone, sizeof phone, &e) == 0;
    }
    CHECK_INT(ok, 20);
    CHECK_INT(calls("/cgi-bin/stable_token"), 1);
    CHECK_INT(stat_int("token_issues"), 1);
    char tok[600];
    cached_token(tok, sizeof tok);
    CHECK(strlen(tok) > 20);
    remember_secret(tok);
    redisReply *r = redisCommand(g_rc, "PTTL wx:token:%s", SIM_APPID);
    CHECK(r && r->type == REDIS_REPLY_INTEGER && r->integer > 7000 * 1000LL &&
          r->integer <= (7200 - WX_TOKEN_MARGIN_S) * 1000LL);
    if (r)
        freeReplyObject(r);
    /* no lock left behind */
    r = redisCommand(g_rc, "EXISTS wx:token:%s:lock", SIM_APPID);
    CHECK(r && r->type == REDIS_REPLY_INTEGER && r->integer == 0);
    if (r)
        freeReplyObject(r);
    redisFree(rc2);
    wx_client_free(c1);
    wx_client_free(c2);
}

TEST(test_token_rejected_force_refresh)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    char phone[32], t1[600], t2[600];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13900000001", phone, sizeof phone, &e), 0);
    cached_token(t1, sizeof t1);
    remember_secret(t1);
    /* WeChat rejects a token that stable_token still calls current: the
     * client must force a refresh, once */
    fault("/wxa/business/getuserphonenumber", "40001", 1, 0);
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13900000002", phone, sizeof phone, &e), 0);
    CHECK_STR(phone, "13900000002");
    cached_token(t2, sizeof t2);
    remember_secret(t2);
    CHECK(t2[0] && strcmp(t1, t2) != 0);
    CHECK_INT(stat_int("force_refreshes"), 1);
    CHECK_INT(calls("/cgi-bin/stable_token"), 3);
    /* again within 30 s: no second force refresh, the call fails */
    fault("/wxa/business/getuserphonenumber", "40001", 1, 0);
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13900000003", phone, sizeof phone, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(stat_int("force_refreshes"), 1);
    /* the code was not used up; the token still works */
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13900000003", phone, sizeof phone, &e), 0);
    /* an expired token (42001): a plain stable_token call gets a new one */
    sim_post("/__sim/expire-tokens", NULL);
    long s0 = calls("/cgi-bin/stable_token");
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13900000004", phone, sizeof phone, &e), 0);
    CHECK_INT(calls("/cgi-bin/stable_token") - s0, 1);
    CHECK_INT(stat_int("force_refreshes"), 1);
    wx_client_free(c);
}

TEST(test_token_refresh_ahead)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    char phone[32], t1[600], t2[600];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13700000001", phone, sizeof phone, &e), 0);
    cached_token(t1, sizeof t1);
    /* 200 s of the token's life left at WeChat, 100 s of the cache's */
    sim_post("/__sim/clock", "{\"advance_s\": 7000}");
    redisReply *r = redisCommand(g_rc, "PEXPIRE wx:token:%s 100000", SIM_APPID);
    if (r)
        freeReplyObject(r);
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13700000002", phone, sizeof phone, &e), 0);
    cached_token(t2, sizeof t2);
    remember_secret(t2);
    CHECK(t2[0] && strcmp(t1, t2) != 0);
    CHECK_INT(calls("/cgi-bin/stable_token"), 2);
    CHECK_INT(stat_int("token_issues"), 2);
    /* near expiry again at once: only one ahead-refresh per 30 s */
    r = redisCommand(g_rc, "PEXPIRE wx:token:%s 100000", SIM_APPID);
    if (r)
        freeReplyObject(r);
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13700000003", phone, sizeof phone, &e), 0);
    CHECK_INT(calls("/cgi-bin/stable_token"), 2);
    wx_client_free(c);
}

#define STORM_THREADS 200

typedef struct {
    pthread_barrier_t *bar;
    int base, idx, ok;
    wx_err_t err;
} storm_arg_t;

static void *storm_thread(void *p)
{
    storm_arg_t *a = p;
    wx_client_t *c = wx_client_new();
    redisContext *rc = redis_connect();
    char code[64], phone[32];
    snprintf(code, sizeof code, "phone:%d%05d", a->base, a->idx);
    pthread_barrier_wait(a->bar);
    a->ok = c && wx_phone_number(c, WX_REDIS_FIXED(rc), code, phone, sizeof phone, &a->err) == 0 &&
            !strcmp(phone, code + 6);
    if (rc)
        redisFree(rc);
    wx_client_free(c);
    return NULL;
}

/* STORM_THREADS concurrent calls that need the token; returns failures. */
static int storm(int base)
{
    pthread_t th[STORM_THREADS];
    storm_arg_t args[STORM_THREADS];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, STORM_THREADS);
    for (int i = 0; i < STORM_THREADS; i++) {
        args[i] = (storm_arg_t){ .bar = &bar, .base = base, .idx = i };
        pthread_create(&th[i], NULL, storm_thread, &args[i]);
    }
    int fails = 0;
    for (int i = 0; i < STORM_THREADS; i++) {
        pthread_join(th[i], NULL);
        if (!args[i].ok) {
            if (fails < 3)
                fprintf(stderr, "  storm %d/%d: %d %s (wx %d)\n", base, i, args[i].err.http_status,
                        args[i].err.code ? args[i].err.code : "-", args[i].err.wx_errcode);
            fails++;
        }
    }
    pthread_barrier_destroy(&bar);
    return fails;
}

TEST(test_token_storm)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    char phone[32];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13600000000", phone, sizeof phone, &e), 0);
    wx_client_free(c);
    long issues0 = stat_int("token_issues"), stable0 = calls("/cgi-bin/stable_token");
    sim_post("/__sim/expire-tokens", NULL);
    /* Each of the 400 threads opens its own TLS connection at the same
     * moment to one Python process; under ASan those handshakes can take
     * longer than the production 2 s connect timeout. This test is about
     * the token, not the simulator's handshake rate, so allow them time
     * (the token wait itself stays WX_TOKEN_WAIT_MS). */
    int saved_connect = g_config.wx_connect_timeout_ms, saved_timeout = g_config.wx_timeout_ms;
    g_config.wx_connect_timeout_ms = 15000;
    g_config.wx_timeout_ms = 20000;

    fflush(NULL);
    pid_t kid = fork();
    if (kid == 0) {
        int f = storm(135);
        _exit(f > 100 ? 100 : f);
    }
    long long t0 = now_ms();
    int fails = storm(136);
    int st = 0;
    waitpid(kid, &st, 0);
    long long ms = now_ms() - t0;
    g_config.wx_connect_timeout_ms = saved_connect;
    g_config.wx_timeout_ms = saved_timeout;
    CHECK_INT(fails, 0);
    CHECK(WIFEXITED(st));
    CHECK_INT(WEXITSTATUS(st), 0);
    long issues = stat_int("token_issues") - issues0;
    long stable = calls("/cgi-bin/stable_token") - stable0;
    fprintf(stderr, "  storm: 2x%d calls in %lld ms, %ld token issues, %ld stable_token calls\n",
            STORM_THREADS, ms, issues, stable);
    CHECK(issues >= 1 && issues <= 2);
    CHECK(stable >= 1 && stable <= 2);
    /* each call at most twice: the rejected try and the one repeat */
    long pc = calls("/wxa/business/getuserphonenumber");
    CHECK(pc >= 1 + 2 * STORM_THREADS && pc <= 1 + 2 * 2 * STORM_THREADS);
}

TEST(test_redis_down)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    char phone[32], code[64];
    /* no connection at all */
    for (int i = 0; i < 3; i++) {
        snprintf(code, sizeof code, "phone:1350000%04d", i);
        CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(NULL), code, phone, sizeof phone, &e), 0);
    }
    /* a context that never connected */
    struct timeval tv = { 0, 200000 };
    redisContext *dead = redisConnectWithTimeout("127.0.0.1", free_port(), tv);
    CHECK(dead && dead->err);
    for (int i = 3; i < 6; i++) {
        snprintf(code, sizeof code, "phone:1350000%04d", i);
        CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(dead), code, phone, sizeof phone, &e), 0);
    }
    /* a context whose connection died under it */
    redisContext *rc = redis_connect();
    shutdown(rc->fd, SHUT_RDWR);
    snprintf(code, sizeof code, "phone:13500009999");
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(rc), code, phone, sizeof phone, &e), 0);
    CHECK(rc->err != 0);
    /* one stable_token call for the process, not one per request */
    CHECK_INT(calls("/cgi-bin/stable_token"), 1);
    /* and a rejected token is renewed without Redis too */
    sim_post("/__sim/expire-tokens", NULL);
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(NULL), "phone:13500008888", phone, sizeof phone, &e), 0);
    CHECK_INT(calls("/cgi-bin/stable_token"), 2);
    CHECK_INT(wx_checksession(c, WX_REDIS_FIXED(NULL), "nobody", "key", &(int){ 0 }, &e), 0);
    redisFree(rc);
    redisFree(dead);
    wx_client_free(c);
}

/* ---- other endpoints ---------------------------------------------------------- */

TEST(test_qrcode)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    unsigned char *img = NULL;
    size_t len = 0;
    char ctype[32];
    CHECK_INT(wx_get_wxacode(c, WX_REDIS_FIXED(g_rc), "u=123", "pages/unit/join", 0, &img, &len, ctype, &e), 0);
    CHECK(img && len > 100);
    if (img && len > 8)
        CHECK_MEM(img, "\x89PNG\r\n\x1a\n", 8);
    CHECK_STR(ctype, "image/png");
    free(img);
    /* no page: the home page */
    CHECK_INT(wx_get_wxacode(c, WX_REDIS_FIXED(g_rc), "reg=1", NULL, 1, &img, &len, ctype, &e), 0);
    free(img);
    /* an error comes back as JSON with status 200 */
    CHECK_INT(wx_get_wxacode(c, WX_REDIS_FIXED(g_rc), "u=1", "pages/bad page", 0, &img, &len, ctype, &e), -1);
    CHECK(img == NULL && len == 0);
    CHECK_INT(e.http_status, 400);
    CHECK_STR(e.code, "invalid_page");
    CHECK_INT(e.wx_errcode, 41030);
    wx_client_free(c);
}

TEST(test_scene_invalid)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    unsigned char *img = NULL;
    size_t len = 0;
    char ctype[32];
    const char *bad[] = { "", "a b", "u=\xe4\xb8\xad", "x%20", "abcdefghijklmnopqrstuvwxyz0123456", "a\"b" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        CHECK_INT(wx_get_wxacode(c, WX_REDIS_FIXED(g_rc), bad[i], NULL, 0, &img, &len, ctype, &e), -1);
        CHECK_INT(e.http_status, 400);
        CHECK_STR(e.code, "invalid_scene");
    }
    CHECK(wx_scene_valid("abcdefghijklmnopqrstuvwxyz012345"));
    CHECK(wx_scene_valid("!#$&'()*+,/:;=?@-._~"));
    CHECK(!wx_scene_valid(NULL));
    CHECK_INT(calls("/wxa/getwxacodeunlimit"), 0);
    CHECK_INT(calls("/cgi-bin/stable_token"), 0);
    wx_client_free(c);
}

TEST(test_phone)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    char phone[32];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13812345678", phone, sizeof phone, &e), 0);
    CHECK_STR(phone, "13812345678");
    remember_secret("13812345678");
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13812345678", phone, sizeof phone, &e), -1);
    CHECK_INT(e.http_status, 400);
    CHECK_STR(e.code, "invalid_code");
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "garbage", phone, sizeof phone, &e), -1);
    CHECK_STR(e.code, "invalid_code");
    char small[8];
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13812340000", small, sizeof small, &e), -1);
    CHECK_INT(e.http_status, 503);
    /* a dropped reply is not resent: the code may be used */
    fault("/wxa/business/getuserphonenumber", "\"drop\"", 1, 0);
    long n0 = calls("/wxa/business/getuserphonenumber");
    CHECK_INT(wx_phone_number(c, WX_REDIS_FIXED(g_rc), "phone:13812349999", phone, sizeof phone, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(calls("/wxa/business/getuserphonenumber") - n0, 1);
    wx_client_free(c);
}

TEST(test_msg_sec_check)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s;
    wx_err_t e;
    int sug = -1;
    CHECK_INT(login(c, "test:writer", &s, &e), 0);
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 1, "水利单位 hello", &sug, &e), 0);
    CHECK_INT(sug, WX_PASS);
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 2, "这是待审的内容", &sug, &e), 0);
    CHECK_INT(sug, WX_REVIEW);
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 3, "含有违禁词", &sug, &e), 0);
    CHECK_INT(sug, WX_RISKY);
    CHECK_INT(stat_int("msg_sec_checks"), 3);
    /* a user who never logged in: WeChat's 40003, the handler decides */
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "stranger", 1, "hi", &sug, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(e.wx_errcode, 40003);
    /* local checks */
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 5, "hi", &sug, &e), -1);
    CHECK_INT(e.http_status, 400);
    char *big = malloc(2502 * 3 + 1);
    for (int i = 0; i < 2501; i++)
        memcpy(big + 3 * i, "\xe4\xb8\xad", 3);
    big[2501 * 3] = '\0';
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 1, big, &sug, &e), -1);
    CHECK_STR(e.code, "content_too_long");
    big[2500 * 3] = '\0'; /* exactly 2500 characters: allowed */
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 1, big, &sug, &e), 0);
    free(big);
    CHECK_INT(wx_msg_sec_check(c, WX_REDIS_FIXED(g_rc), "writer", 1, "bad \xff utf8", &sug, &e), -1);
    CHECK_INT(e.http_status, 400);
    wx_client_free(c);
}

TEST(test_checksession)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_session_t s1, s2;
    wx_err_t e;
    int valid = -1;
    CHECK_INT(login(c, "test:checker:1", &s1, &e), 0);
    CHECK_INT(wx_checksession(c, WX_REDIS_FIXED(g_rc), "checker", s1.session_key, &valid, &e), 0);
    CHECK_INT(valid, 1);
    CHECK_INT(wx_checksession(c, WX_REDIS_FIXED(g_rc), "checker", "AAAAAAAAAAAAAAAAAAAAAA==", &valid, &e), 0);
    CHECK_INT(valid, 0);
    /* a new login replaces the key: the old one is no longer valid */
    CHECK_INT(login(c, "test:checker:2", &s2, &e), 0);
    CHECK_INT(wx_checksession(c, WX_REDIS_FIXED(g_rc), "checker", s1.session_key, &valid, &e), 0);
    CHECK_INT(valid, 0);
    CHECK_INT(wx_checksession(c, WX_REDIS_FIXED(g_rc), "checker", s2.session_key, &valid, &e), 0);
    CHECK_INT(valid, 1);
    wx_client_free(c);
}

TEST(test_subscribe_send)
{
    fresh();
    wx_client_t *c = wx_client_new();
    wx_err_t e;
    json_t *data = json_pack("{s:{s:s}, s:{s:s}}", "thing1", "value", "水利知识竞赛", "time2",
                             "value", "2026-06-11 06:00");
    CHECK_INT(wx_subscribe_send(c, WX_REDIS_FIXED(g_rc), "subuser", "TPL123", "pages/index/index", data, &e), 0);
    json_t *st = sim("/__sim/stats", NULL);
    CHECK_INT(json_integer_value(json_object_get(st, "subscribe_sent")), 1);
    json_t *m = json_array_get(json_object_get(st, "subscribe_messages"), 0);
    CHECK_STR(json_string_value(json_object_get(m, "touser")), "subuser");
    CHECK_STR(json_string_value(json_object_get(m, "template_id")), "TPL123");
    CHECK_STR(json_string_value(json_object_get(m, "miniprogram_state")), "formal");
    CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(m, "data"), "thing1"), "value")),
              "水利知识竞赛");
    json_decref(st);
    CHECK_INT(data->refcount, 1); /* borrowed, not kept */
    fault("/cgi-bin/message/subscribe/send", "43101", 1, 0);
    CHECK_INT(wx_subscribe_send(c, WX_REDIS_FIXED(g_rc), "subuser", "TPL123", NULL, data, &e), -1);
    CHECK_INT(e.http_status, 403);
    CHECK_STR(e.code, "not_subscribed");
    /* dropped: never sent twice */
    fault("/cgi-bin/message/subscribe/send", "\"drop\"", 1, 0);
    CHECK_INT(wx_subscribe_send(c, WX_REDIS_FIXED(g_rc), "subuser", "TPL123", NULL, data, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(calls("/cgi-bin/message/subscribe/send"), 3);
    CHECK_INT(stat_int("subscribe_sent"), 1);
    /* data may be NULL */
    CHECK_INT(wx_subscribe_send(c, WX_REDIS_FIXED(g_rc), "subuser", "TPL123", NULL, NULL, &e), 0);
    json_decref(data);
    wx_client_free(c);
}

/* Runs last: nothing secret reached the log. */
TEST(test_log_has_no_secrets)
{
    FILE *f = fopen(log_path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    CHECK(n > 0);
    CHECK(strstr(buf, SIM_SECRET) == NULL);
    CHECK(strstr(buf, "access_token") == NULL);
    CHECK(strstr(buf, "secret=") == NULL);
    CHECK(strstr(buf, "phone:") == NULL);
    CHECK(strstr(buf, "test:") == NULL);
    for (int i = 0; i < n_secrets; i++)
        if (strstr(buf, secrets_seen[i])) {
            fprintf(stderr, "  log holds a secret (#%d)\n", i);
            CHECK(0);
        }
    CHECK(n_secrets >= 10);
    if (!getenv("WX_TEST_KEEP_LOG"))
        unlink(log_path);
    else
        fprintf(stderr, "  log kept: %s\n", log_path);
}

int main(void)
{
    main_pid = getpid();
    atexit(stop_children);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (wx_global_init() < 0) {
        fprintf(stderr, "curl init failed\n");
        return 1;
    }
    snprintf(log_path, sizeof log_path, "/tmp/test_wx_client.%d.log", (int)getpid());
    log_open(log_path);
    log_set_level(LOG_DEBUG);
    if (start_sim() < 0 || start_redis() < 0) {
        fprintf(stderr, "could not start wxsim or redis-server\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    snprintf(g_config.wx_base_url, sizeof g_config.wx_base_url, "%s", sim_base);
    snprintf(g_config.wx_ca_file, sizeof g_config.wx_ca_file, "%s/ca.pem", sim_dir);
    snprintf(g_config.wx_appid, sizeof g_config.wx_appid, "%s", SIM_APPID);
    snprintf(g_config.wx_secret, sizeof g_config.wx_secret, "%s", SIM_SECRET);
    snprintf(g_config.wx_env_version, sizeof g_config.wx_env_version, "release");
    g_config.wx_connect_timeout_ms = 2000;
    g_config.wx_timeout_ms = 5000;
    remember_secret(SIM_SECRET);

    RUN(test_login_ok);
    RUN(test_login_reused_code);
    RUN(test_login_invalid_code);
    RUN(test_login_rate_limited_and_risky);
    RUN(test_login_busy_then_ok);
    RUN(test_login_busy_thrice);
    RUN(test_login_drop_not_retried);
    RUN(test_login_timeout);
    RUN(test_login_connect_refused_retried);
    RUN(test_bad_secret);
    RUN(test_token_cached);
    RUN(test_token_rejected_force_refresh);
    RUN(test_token_refresh_ahead);
    RUN(test_token_storm);
    RUN(test_redis_down);
    RUN(test_qrcode);
    RUN(test_scene_invalid);
    RUN(test_phone);
    RUN(test_msg_sec_check);
    RUN(test_checksession);
    RUN(test_subscribe_send);
    RUN(test_log_has_no_secrets);

    redisFree(g_rc);
    stop_children();
    return check_summary();
}
