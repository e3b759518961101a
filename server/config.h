/* config.h: the server's settings.
 *
 * Read from a `key = value` file (# comments), then overridden by
 * environment variables QUIZ_<KEY> (upper case), so secrets can come from
 * the environment or a 0600 file. Defaults work for the local stack. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

typedef struct {
    /* FastCGI listener: "unix:/path/to.sock" or "127.0.0.1:9000" */
    char listen[256];
    int workers;          /* store-owning workers for fast routes (0: config_default_workers) */
    int slow_workers;     /* threads for routes that wait on WeChat */
    int slow_stores;      /* store connections those threads borrow */
    int queue_max;        /* requests waiting for a worker before 503 */
    int max_conns;        /* FastCGI connections held at once */

    /* MariaDB */
    char db_host[128]; int db_port; char db_socket[256];
    char db_user[64]; char db_password[128]; char db_name[64];
    /* an optional MariaDB replica for reports (exports, the weekly report):
     * used while it answers and lags at most db_replica_max_lag_s; user,
     * password and database default to the primary's */
    char db_replica_host[128]; int db_replica_port; char db_replica_socket[256];
    char db_replica_user[64]; char db_replica_password[128];
    int db_replica_max_lag_s;
    /* Redis */
    char redis_host[128]; int redis_port; char redis_socket[256];
    int redis_timeout_ms;
    int board_cache_ms;        /* how long a built board page is shared (0: never) */
    char redis_password[128]; /* AUTH after connecting; empty: none */
    /* Sentinel: "host:port,host:port,..."; when set, the primary's address
     * comes from these Sentinels (redis_host/port/socket are not used) and
     * a failover is followed by itself (server/kv.c) */
    char redis_sentinels[512];
    char redis_master_name[64];        /* the name the Sentinels monitor */
    char redis_sentinel_password[128]; /* the Sentinels' own requirepass; empty: none */
    /* a TCP listener answers only these peers: addresses separated by commas */
    char trusted_peers[512];

    /* WeChat */
    char wx_base_url[256];   /* https://api.weixin.qq.com in production */
    char wx_ca_file[256];    /* empty: the system's CA store */
    char wx_appid[64];
    char wx_secret[128];
    int wx_connect_timeout_ms, wx_timeout_ms;
    char wx_env_version[16]; /* release | trial | develop */
    char qr_fallback_url[256]; /* link encoded in locally made QR codes */
    char wx_tpl_result[128];      /* subscribe-message template: a draw's result */
    char wx_tpl_certificate[128]; /* subscribe-message template: a certificate to download */
    char public_base_url[256]; /* the site's address, for links printed on certificates */
    char cert_font[256];       /* a TrueType (glyf) CJK font libharu can embed */

    /* secrets */
    char phone_key_hex[65];  /* AES-256 key for phone numbers at rest */

    /* sessions */
    int session_ttl_s;
    int organizer_session_ttl_s;   /* organizers' sessions: shorter */

    /* floods and personal data (engines/accounts/accounts.h) */
    int login_rate_per_addr;   /* logins per address per minute */
    int login_rate_total;      /* logins per second, all addresses together */
    int wx_write_rate_per_user; /* WeChat-bound writes per user per minute */
    int purge_after_days;      /* personal data kept after a contest's end */
    /* public unit reads kept in each process (engines/units/units.h) */
    int unit_cache_ms;         /* searches and unit counts kept this long (0: never) */
    int unit_search_count_ms;  /* a keyword's match count kept this long */
    int unit_cache_entries;    /* at most this many entries in each of the two caches */
    int unit_cache_kb;         /* and at most this many KiB in each */
    /* contest rows kept in each process (engines/quiz/contest.h) */
    int contest_cache_ms;      /* how long (0: every read asks MariaDB) */

    /* clock: now = real time + offset, or fixed when clock_fixed is set */
    long long clock_offset_s;
    char clock_fixed[40];
    int clock_settable;      /* tests may move the clock through the admin API */

    /* reports (engines/reports): export jobs and events */
    int export_threads;      /* threads that run export jobs (not the workers) */
    int export_ttl_s;        /* a finished export is downloadable this long */
    int export_stale_s;      /* a running job silent this long was interrupted */
    int export_max_jobs;     /* jobs queued or running per requester at once */
    int event_grace_s;       /* check-in accepted this long around a session */
    char export_accel_path[128]; /* nginx's internal location of data_dir/exports
                                  * ("/_exports/"): files go by X-Accel-Redirect;
                                  * empty: quizd sends them itself */

    char log_file[256];      /* empty: stderr */
    char data_dir[256];      /* exports, uploads */
    char schema_dir[256];
    int migrate_on_start;
} config_t;

extern config_t g_config;

/* Fill defaults, read path (NULL or missing file: defaults only), apply
 * QUIZ_* environment overrides. Returns 0, or -1 with a message on stderr
 * for an unreadable file or an unknown key. */
int config_load(config_t *c, const char *path);
/* `workers` when it is 0 or not set: two per core available, at least 4. */
int config_default_workers(void);

#endif
