/* config.c: defaults, `key = value` file, QUIZ_<KEY> environment overrides. */
#define _GNU_SOURCE
#include "server/config.h"
#include "lib/hostport.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

config_t g_config;

typedef enum { T_STR, T_INT, T_LL } kind_t;
typedef struct { const char *key; kind_t kind; size_t off; size_t size; } key_t_;

#define S(k) { #k, T_STR, offsetof(config_t, k), sizeof(((config_t *)0)->k) }
#define I(k) { #k, T_INT, offsetof(config_t, k), sizeof(int) }
#define L(k) { #k, T_LL, offsetof(config_t, k), sizeof(long long) }

static const key_t_ keys[] = {
    S(listen), I(workers), I(slow_workers), I(slow_stores), I(queue_max), I(max_conns),
    S(db_host), I(db_port), S(db_socket), S(db_user), S(db_password), S(db_name),
    S(db_replica_host), I(db_replica_port), S(db_replica_socket), S(db_replica_user),
    S(db_replica_password), I(db_replica_max_lag_s),
    S(redis_host), I(redis_port), S(redis_socket), I(redis_timeout_ms), I(board_cache_ms),
    S(redis_password), S(redis_sentinels), S(redis_master_name), S(redis_sentinel_password),
    S(trusted_peers),
    S(wx_base_url), S(wx_ca_file), S(wx_appid), S(wx_secret),
    I(wx_connect_timeout_ms), I(wx_timeout_ms), S(wx_env_version), S(qr_fallback_url),
    S(public_base_url), S(cert_font), S(wx_tpl_result), S(wx_tpl_certificate),
    S(phone_key_hex), I(session_ttl_s), I(organizer_session_ttl_s),
    I(login_rate_per_addr), I(login_rate_total), I(wx_write_rate_per_user), I(purge_after_days),
    I(unit_cache_ms), I(unit_search_count_ms), I(unit_cache_entries), I(unit_cache_kb), I(contest_cache_ms),
    L(clock_offset_s), S(clock_fixed), I(clock_settable),
    I(export_threads), I(export_ttl_s), I(export_stale_s), I(export_max_jobs), I(event_grace_s),
    S(export_accel_path),
    S(log_file), S(data_dir), S(schema_dir), I(migrate_on_start),
};

/* Two fast workers per core this process may run on, at least four. The
 * fast workers block only on their stores' round trips (everything that
 * waits longer is parked or on the slow pool), so more threads than that
 * only add wake-ups and switches: with 8 on 2 cores, pings ran ~10 % and
 * board reads ~10 % slower than with 4 (README, "Benchmarks"). */
int config_default_workers(void)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 2;
    return n * 2 < 4 ? 4 : n * 2 > 64 ? 64 : n * 2;
}

static void set_defaults(config_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "unix:/run/quizd/quizd.sock");
    snprintf(c->trusted_peers, sizeof c->trusted_peers, "127.0.0.1");
    c->workers = 0;       /* config_default_workers() */
    c->slow_workers = 512;
    c->slow_stores = 32;
    c->queue_max = 512;
    c->max_conns = 4096;
    snprintf(c->db_host, sizeof c->db_host, "127.0.0.1");
    c->db_port = 3306;
    snprintf(c->db_user, sizeof c->db_user, "quiz");
    snprintf(c->db_name, sizeof c->db_name, "quiz");
    c->db_replica_port = 3306;
    c->db_replica_max_lag_s = 30;
    snprintf(c->redis_host, sizeof c->redis_host, "127.0.0.1");
    c->redis_port = 6379;
    c->redis_timeout_ms = 500;
    snprintf(c->redis_master_name, sizeof c->redis_master_name, "quizd");
    c->board_cache_ms = 500;
    snprintf(c->wx_base_url, sizeof c->wx_base_url, "https://api.weixin.qq.com");
    c->wx_connect_timeout_ms = 2000;
    c->wx_timeout_ms = 5000;
    snprintf(c->wx_env_version, sizeof c->wx_env_version, "release");
    snprintf(c->qr_fallback_url, sizeof c->qr_fallback_url, "https://example.org/quiz");
    snprintf(c->public_base_url, sizeof c->public_base_url, "https://example.org");
    snprintf(c->cert_font, sizeof c->cert_font, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    c->session_ttl_s = 7 * 24 * 3600;
    c->organizer_session_ttl_s = 12 * 3600;
    c->login_rate_per_addr = 120;
    c->login_rate_total = 2000;
    c->wx_write_rate_per_user = 20;
    c->purge_after_days = 180;
    c->unit_cache_ms = 5000;
    c->unit_search_count_ms = 30000;
    c->unit_cache_entries = 4096;
    c->unit_cache_kb = 16384;
    c->contest_cache_ms = 1000;
    c->export_threads = 2;
    c->export_ttl_s = 24 * 3600;
    c->export_stale_s = 60;
    c->export_max_jobs = 3;
    c->event_grace_s = 15 * 60;
    snprintf(c->data_dir, sizeof c->data_dir, "data");
    snprintf(c->schema_dir, sizeof c->schema_dir, "schema");
    c->migrate_on_start = 1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int set_key(config_t *c, const char *key, const char *val)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(keys[i].key, key) != 0)
            continue;
        char *dst = (char *)c + keys[i].off;
        if (keys[i].kind == T_STR) {
            if (strlen(val) >= keys[i].size) {
                fprintf(stderr, "config: value of %s is too long\n", key);
                return -1;
            }
            memcpy(dst, val, strlen(val) + 1);
            return 0;
        }
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (errno || end == val || *end) {
            fprintf(stderr, "config: %s needs a number\n", key);
            return -1;
        }
        if (keys[i].kind == T_INT)
            *(int *)dst = (int)v;
        else
            *(long long *)dst = v;
        return 0;
    }
    fprintf(stderr, "config: unknown key %s\n", key);
    return -1;
}

/* A Sentinel list must name at least one Sentinel and nothing malformed:
 * a typo would otherwise leave Redis unreachable with no word why. */
static int check_sentinels(const config_t *c)
{
    if (!c->redis_sentinels[0])
        return 0;
    char host[256];
    int port;
    unsigned i = 0;
    for (int rc; (rc = hostport_nth(c->redis_sentinels, i, host, sizeof host, &port)) != 1; i++)
        if (rc < 0) {
            fprintf(stderr, "config: redis_sentinels: entry %u is not host:port\n", i + 1);
            return -1;
        }
    if (i == 0 || !c->redis_master_name[0]) {
        fprintf(stderr, "config: redis_sentinels needs at least one host:port and redis_master_name\n");
        return -1;
    }
    return 0;
}

int config_load(config_t *c, const char *path)
{
    set_defaults(c);
    if (path && *path) {
        FILE *f = fopen(path, "r");
        if (!f) {
            fprintf(stderr, "config: cannot read %s: %s\n", path, strerror(errno));
            return -1;
        }
        char line[1024];
        int lineno = 0, rc = 0;
        while (fgets(line, sizeof line, f)) {
            lineno++;
            char *s = trim(line);
            if (!*s || *s == '#')
                continue;
            char *eq = strchr(s, '=');
            if (!eq) {
                fprintf(stderr, "config: %s:%d: expected key = value\n", path, lineno);
                rc = -1;
                break;
            }
            *eq = '\0';
            if (set_key(c, trim(s), trim(eq + 1)) < 0) {
                rc = -1;
                break;
            }
        }
        fclose(f);
        if (rc < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char env[80] = "QUIZ_";
        size_t n = 5;
        for (const char *k = keys[i].key; *k && n < sizeof env - 1; k++)
            env[n++] = (char)toupper((unsigned char)*k);
        env[n] = '\0';
        const char *v = getenv(env);
        if (v && set_key(c, keys[i].key, v) < 0)
            return -1;
    }
    if (check_sentinels(c) < 0)
        return -1;
    if (c->workers < 1) c->workers = config_default_workers();
    if (c->slow_workers < 1) c->slow_workers = 1;
    if (c->slow_stores < 1) c->slow_stores = 1;
    if (c->queue_max < 1) c->queue_max = 1;
    return 0;
}
