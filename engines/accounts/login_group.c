/* login_group.c: see login_group.h.
 *
 * The group's transaction, under db_tx (server/db.h):
 *   1. one INSERT ... SELECT from the group's JSON upserts every user by
 *      openid (in openid order, so two writers lock in one order) and
 *      returns what each session needs; a user who logs in twice in one
 *      group is written twice, the later login's key last;
 *   2. in C, login by login: the roles its session may carry, the reply
 *      (token, expiry, user) and its sealed copy;
 *   3. one CALL login_finish_group writes the sessions and the remembered
 *      replies and commits;
 * then one Redis pipeline publishes the group (publish()). */
#include "engines/accounts/login_group.h"
#include "engines/accounts/accounts.h"
#include "engines/accounts/login_guard.h"
#include "engines/accounts/login_replay.h"
#include "engines/accounts/seal.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/db.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>

static gc_queue_t queue = GC_QUEUE_INIT("login", LOGIN_GROUP_MAX);

typedef struct {
    req_t *r;
    login_entry_t **e;
    size_t n;
} group_t;

/* The user's upsert (as the login of one did it before, handlers/login.c):
 * INSERT ... ON DUPLICATE KEY UPDATE on the openid key, so two first
 * logins of one person at once cannot both insert. Each upsert of an
 * existing user burns an AUTO_INCREMENT value; ids are BIGINT. The
 * comment first and the key's column last keep the word "session_key" out
 * of what server/db.c logs of a statement that fails (its first 60
 * characters; 120 when it cannot be prepared): no log says it. The JSON
 * columns are wider than the table's, so a value too long for the table
 * fails the statement (strict mode) as a bound parameter did, instead of
 * being cut to fit. */
#define USERS_SQL \
    "/* login_group.c: the users of a group of logins, upserted by openid in one statement */" \
    " INSERT INTO users (openid, unionid, created_at, last_login_at, session_key_sealed)" \
    " SELECT j.jo, j.ju, j.jt, j.jt, j.jk" \
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jn FOR ORDINALITY," \
    "   jo VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.o', ju VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.u'," \
    "   jk VARCHAR(255) CHARACTER SET utf8mb4 PATH '$.k', jt BIGINT PATH '$.t')) j" \
    " ORDER BY j.jo, j.jn" \
    " ON DUPLICATE KEY UPDATE unionid = IFNULL(VALUES(unionid), unionid)," \
    " session_key_sealed = VALUES(session_key_sealed), last_login_at = VALUES(last_login_at)" \
    " RETURNING id, openid, roles, IFNULL(admin_unit_id, 0)," \
    " EXISTS (SELECT 1 FROM profiles p WHERE p.user_id = users.id)"

enum { U_ID, U_OPENID, U_ROLES, U_UNIT, U_REGISTERED };

/* Step 1's input: [{"o": openid, "u": unionid (left out when none),
 * "k": sealed key, "t": now}, ...] */
static const char *users_json(arena_t *a, const group_t *g)
{
    json_t *arr = arena_json(a, json_array());
    for (size_t i = 0; i < g->n; i++) {
        const login_entry_t *e = g->e[i];
        json_t *o = json_pack("{s:s,s:s,s:I}", "o", e->openid, "k", e->key_sealed, "t", (json_int_t)e->now);
        if (o && e->unionid)
            json_object_set_new(o, "u", json_string(e->unionid));
        if (!o || json_array_append_new(arr, o) < 0)
            return NULL;
    }
    return arena_json_text(a, arr);
}

/* The reply to e (token, expiry, user), in e's arena, and its sealed copy
 * in the group's (r's). */
static int make_reply(req_t *r, login_entry_t *e, int registered)
{
    /* A new token on every try: after a COMMIT that was lost on the way
     * back but did land, the try again must not collide with its sessions. */
    if (crypto_random_token(e->token, sizeof e->token) < 0)
        return -1;
    crypto_sha256_hex(e->token, strlen(e->token), e->hash);
    json_t *body = json_pack("{s:s,s:i,s:{s:I,s:b}}", "token", e->token, "expires_in", g_config.session_ttl_s,
                             "user", "id", (json_int_t)e->info.user_id, "registered", registered);
    /* malloc'd, not the arena's: it holds the token and is wiped below */
    char *txt = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!txt)
        return -1;
    e->reply = arena_strdup(e->arena, txt);
    explicit_bzero(txt, strlen(txt));
    free(txt);
    return seal_str(r, e->reply, &e->reply_sealed);
}

/* Step 2 for e, from its user's row: what its session may carry (as
 * session_insert writes it: a user's session may carry user and unit
 * admin, session.h; it has what the user holds now) and its reply. */
static int decide(req_t *r, login_entry_t *e, const db_res_t *u, size_t row)
{
    session_info_t *info = &e->info;
    memset(info, 0, sizeof *info);
    info->user_id = db_int(u, row, U_ID);
    info->mask = ROLE_USER | ROLE_UNIT_ADMIN;
    info->roles = (int)db_int(u, row, U_ROLES) & info->mask;
    info->admin_unit_id = db_int(u, row, U_UNIT);
    if (!info->admin_unit_id)
        info->roles &= ~ROLE_UNIT_ADMIN;
    if (!(info->roles & ROLE_UNIT_ADMIN))
        info->admin_unit_id = 0;
    return make_reply(r, e, db_int(u, row, U_REGISTERED) != 0);
}

/* The returned row of e's user. */
static long long find_user(const db_res_t *u, const login_entry_t *e)
{
    for (size_t i = 0; i < u->nrows; i++) {
        const char *o = db_get(u, i, U_OPENID);
        if (o && strcmp(o, e->openid) == 0)
            return (long long)i;
    }
    return -1;
}

/* Step 3's input (schema/290_login_finish_group.sql). */
static const char *finish_json(arena_t *a, const group_t *g)
{
    json_t *arr = arena_json(a, json_array());
    for (size_t i = 0; i < g->n; i++) {
        const login_entry_t *e = g->e[i];
        const session_info_t *s = &e->info;
        json_t *o = json_pack("{s:s,s:I,s:i,s:I,s:I,s:I,s:s,s:s,s:I}", "h", e->hash, "u", (json_int_t)s->user_id,
                              "m", s->mask, "a", (json_int_t)s->admin_unit_id, "t", (json_int_t)e->now,
                              "x", (json_int_t)(e->now + g_config.session_ttl_s), "c", e->code_hash,
                              "r", e->reply_sealed, "e", (json_int_t)(e->now + LOGIN_REPLAY_S));
        if (!o || json_array_append_new(arr, o) < 0)
            return NULL;
    }
    return arena_json_text(a, arr);
}

static int group_tx(db_t *db, void *ctx)
{
    group_t *g = ctx;
    arena_t *a = g->r->arena;
    const char *users = users_json(a, g);
    if (!users)
        return ST_ERR;
    db_res_t *u = db_query(db, a, USERS_SQL, "s", users);
    if (!u)
        return ST_STORE;
    for (size_t i = 0; i < g->n; i++) {
        long long row = find_user(u, g->e[i]);
        if (row < 0) {
            log_warn("login: a user's row was not returned by its upsert");
            return ST_ERR;
        }
        if (decide(g->r, g->e[i], u, (size_t)row) < 0)
            return ST_ERR;
    }
    const char *fin = finish_json(a, g);
    if (!fin)
        return ST_ERR;
    if (db_exec(db, "CALL login_finish_group(?)", "s", fin) < 0)
        return ST_STORE;
    db_tx_ended(db);
    return ST_OK;
}

/* After the commit: every login's session copy, remembered reply (which
 * drops its claim) and end of exchange, in one Redis pipeline. Redis down:
 * MariaDB has the sessions and the replies. */
static void publish(req_t *r, login_entry_t **e, size_t n)
{
    int *argc = arena_alloc(r->arena, n * KV_BATCH_MAX * sizeof *argc);
    const char *const **argv = arena_alloc(r->arena, n * KV_BATCH_MAX * sizeof *argv);
    redisReply **out = arena_alloc(r->arena, n * KV_BATCH_MAX * sizeof *out);
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        login_entry_t *x = e[i];
        kv_batch_t b = { 0 };
        session_cache_new(r, &b, &x->info, x->hash);
        replay_publish_add(r, &b, x->rp, x->reply_sealed);
        if (x->leave)
            login_guard_leave_add(r, &b, x->code_hash);
        x->leave = 0;
        for (int k = 0; k < b.n; k++) {
            argc[total] = b.argc[k];
            argv[total++] = (const char *const *)b.argv[k];
        }
    }
    if (total && kv_pipeline(req_kv(r), r->arena, total, argc, argv, out) < 0)
        return;     /* the claims expire; the sessions come back from MariaDB */
}

/* Write a group: all at once, and when that fails for good, one by one. */
static void write_group(req_t *r, login_entry_t **e, size_t n)
{
    group_t g = { r, e, n };
    /* db_tx runs it again after a deadlock, a lock wait or a lost
     * connection. Repeating after a lost COMMIT that did land makes one
     * more session per login (new tokens, make_reply), harmless: the reply
     * remembered is the one sent. */
    int st = db_tx(req_db(r), group_tx, &g);
    if (st == ST_OK)
        publish(r, e, n);
    if (st == ST_OK || n == 1) {
        for (size_t i = 0; i < n; i++)
            e[i]->st = st == ST_OK ? ST_OK : st == ST_ERR ? ST_ERR : ST_STORE;
        return;
    }
    log_warn("login: a group of %zu failed (%s); writing its logins one by one", n, status_str(st));
    for (size_t i = 0; i < n; i++)
        write_group(r, e + i, 1);
}

/* A login that failed gives up its claim on the code, so a try again
 * with it need not wait for the claim to expire, and ends its exchange. */
static void give_up(req_t *r, login_entry_t *e)
{
    replay_abandon(r, e->rp);
    if (e->leave)
        login_guard_leave(r, e->code_hash);
    e->leave = 0;
}

/* One group, on the writer's connections, its working memory in an arena
 * of the group's own: the writer goes on from group to group, and its
 * request (parked, maybe answered already) keeps nothing of them. */
static void write_queued(void *ctx, gc_entry_t **q, size_t n)
{
    req_t *r = ctx;
    login_entry_t *e[LOGIN_GROUP_MAX];
    for (size_t i = 0; i < n; i++)
        e[i] = (login_entry_t *)q[i];
    arena_t ga;
    arena_init(&ga);
    req_t gr = *r;
    gr.arena = &ga;
    write_group(&gr, e, n);
    for (size_t i = 0; i < n; i++)
        if (e[i]->st != ST_OK)
            give_up(&gr, e[i]);
    arena_free(&ga);
    req_release_stores(r);
}

void login_group_write(req_t *r, login_entry_t *e)
{
    e->st = ST_ERR;
    gc_submit_parked(&queue, &e->gc, write_queued, r);
}
