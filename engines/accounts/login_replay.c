/* login_replay.c: see login_replay.h. */
#include "engines/accounts/login_replay.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "engines/accounts/seal.h"
#include "wx/wx_client.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLL_MS 25
#define LOOKUP_WAIT_MS 1500
enum { WAIT = 3 };

/* How long a claim lasts: the longest a WeChat call can take (wx_client.h:
 * about max(wx_timeout_ms, its retry budget)) plus room for the login's
 * transaction. A waiter gives up a little after that. */
static long long claim_ms(void)
{
    long long t = g_config.wx_timeout_ms > 0 ? g_config.wx_timeout_ms : 5000;
    if (t < WX_RETRY_BUDGET_MS)
        t = WX_RETRY_BUDGET_MS;
    return t + 5000;
}

/* GET the cached reply if it is still valid by the server's clock, else
 * take the lock. Returns the cached "expires sealed" string, 1 (lock
 * taken) or 0 (another request holds it). */
static const char CLAIM_LUA[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "if v then\n"
    "  local e = tonumber(string.match(v, '^(%d+) '))\n"
    "  if e and e > tonumber(ARGV[3]) then return v end\n"
    "end\n"
    "if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end\n"
    "return 0\n";

/* Cache the reply and drop our lock, at once. */
static const char PUBLISH_LUA[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"
    "if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end\n"
    "return 1\n";

static const char UNLOCK_LUA[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
    "return 0\n";

/* Open a sealed reply into *reply. Returns REPLAY_HIT or WAIT (unreadable:
 * sealed under another key; treated as absent). */
static int open_reply(req_t *r, const char *sealed, char **reply)
{
    return unseal_str(r, sealed, reply) == 0 ? REPLAY_HIT : WAIT;
}

/* The claim through MariaDB, while Redis is down. */
static int db_claim(req_t *r, replay_t *rp, char **reply)
{
    db_t *db = req_db(r);
    long long now = clock_now_s(), claim_s = (claim_ms() + 999) / 1000;
    if (db_exec(db, "INSERT INTO login_codes (code_hash, reply_sealed, expires_at) VALUES (?, '', ?)",
                "si", rp->hash, now + claim_s) >= 0) {
        rp->mode = 2;
        return REPLAY_OWNER;
    }
    if (db_errno(db) != DB_ER_DUP_ENTRY)
        goto fail;
    db_res_t *res = db_query(db, r->arena,
                             "SELECT reply_sealed, expires_at FROM login_codes WHERE code_hash = ?",
                             "s", rp->hash);
    if (!res)
        goto fail;
    if (!res->nrows)
        return WAIT;                     /* deleted meanwhile: try again */
    const char *sealed = db_get(res, 0, 0);
    if (db_int(res, 0, 1) > now) {
        if (sealed && *sealed && open_reply(r, sealed, reply) == REPLAY_HIT)
            return REPLAY_HIT;
        if (sealed && !*sealed)
            return WAIT;                 /* pending: its owner is at WeChat */
    }
    /* Expired (an owner that died, or an old reply), or unreadable: take it
     * over; the UPDATE's condition lets only one request win. */
    long long n = db_exec(db, "UPDATE login_codes SET reply_sealed = '', expires_at = ?"
                              " WHERE code_hash = ? AND (expires_at <= ? OR reply_sealed = ?)",
                          "isis", now + claim_s, rp->hash, now,
                          sealed && *sealed ? sealed : NULL /* NULL matches nothing */);
    if (n < 0)
        goto fail;
    if (n == 1) {
        rp->mode = 2;
        return REPLAY_OWNER;
    }
    return WAIT;
fail:
    return ST_STORE;
}

/* The claim script for rp, as a command to batch. */
static const char **claim_argv(req_t *r, replay_t *rp)
{
    const char **argv = arena_alloc(r->arena, 8 * sizeof *argv);
    argv[0] = "EVAL";
    argv[1] = CLAIM_LUA;
    argv[2] = "2";
    argv[3] = arena_sprintf(r->arena, "login:c:%s", rp->hash);
    argv[4] = arena_sprintf(r->arena, "login:lk:%s", rp->hash);
    argv[5] = rp->lock_val;
    argv[6] = arena_sprintf(r->arena, "%lld", claim_ms());
    argv[7] = arena_sprintf(r->arena, "%lld", (long long)clock_now_s());
    return argv;
}

/* What the claim script answered (NULL: Redis did not). */
static int claim_result(req_t *r, replay_t *rp, const redisReply *rep, char **reply)
{
    if (!rep || rep->type == REDIS_REPLY_ERROR)
        return db_claim(r, rp, reply);
    if (rep->type == REDIS_REPLY_INTEGER) {
        if (rep->integer == 1) {
            rp->mode = 1;
            return REPLAY_OWNER;
        }
        return WAIT;
    }
    if (rep->type == REDIS_REPLY_STRING) {
        const char *sp = strchr(rep->str, ' ');
        if (sp && open_reply(r, sp + 1, reply) == REPLAY_HIT)
            return REPLAY_HIT;
        /* unreadable: forget it and claim on the next round */
        kv_cmd(req_kv(r), r->arena, "DEL login:c:%s", rp->hash);
        return WAIT;
    }
    return db_claim(r, rp, reply);
}

void replay_begin_add(req_t *r, const char *code_hash, kv_batch_t *b, replay_t *rp)
{
    memset(rp, 0, sizeof *rp);
    snprintf(rp->hash, sizeof rp->hash, "%s", code_hash);
    unsigned char rnd[16];
    /* the DRBG cannot fail once seeded; zeroes would still make a lock
     * value, only a guessable one */
    (void)crypto_random_bytes(rnd, sizeof rnd);
    crypto_hex_encode(rnd, sizeof rnd, rp->lock_val);
    rp->claim_idx = kv_batch_add(b, 8, claim_argv(r, rp));
}

int replay_begin_result(req_t *r, kv_batch_t *b, replay_t *rp, int may_wait, char **reply)
{
    *reply = NULL;
    int64_t deadline = mono_us() + (claim_ms() + 1000) * 1000;
    int rc = claim_result(r, rp, rp->claim_idx >= 0 ? b->rep[rp->claim_idx] : NULL, reply);
    while (rc == WAIT) {
        if (!may_wait || mono_us() >= deadline)
            return REPLAY_BUSY;
        /* The pool of stores is small: do not sit on one while waiting. */
        req_release_stores(r);
        usleep(POLL_MS * 1000);
        rc = claim_result(r, rp, kv_cmdargv(req_kv(r), r->arena, 8, claim_argv(r, rp), NULL), reply);
    }
    return rc;
}

int replay_seal(req_t *r, const char *reply, char **sealed)
{
    return seal_str(r, reply, sealed) < 0 ? -1 : 0;
}

void replay_publish_add(req_t *r, kv_batch_t *b, replay_t *rp, const char *sealed)
{
    /* Cache and unlock in one script: a claimant sees either the lock or
     * the reply, never neither. Redis's TTL is real time; the expiry inside
     * is the server's clock. */
    const char **argv = arena_alloc(r->arena, 8 * sizeof *argv);
    argv[0] = "EVAL";
    argv[1] = PUBLISH_LUA;
    argv[2] = "2";
    argv[3] = arena_sprintf(r->arena, "login:c:%s", rp->hash);
    argv[4] = arena_sprintf(r->arena, "login:lk:%s", rp->hash);
    argv[5] = arena_sprintf(r->arena, "%lld %s", (long long)clock_now_s() + LOGIN_REPLAY_S, sealed);
    argv[6] = arena_sprintf(r->arena, "%d", LOGIN_REPLAY_S);
    argv[7] = rp->lock_val;
    kv_batch_add(b, 8, argv);
    rp->mode = 0;
}

void replay_abandon(req_t *r, replay_t *rp)
{
    if (rp->mode == 1) {
        const char *argv[] = { "EVAL", UNLOCK_LUA, "1", NULL, rp->lock_val };
        argv[3] = arena_sprintf(r->arena, "login:lk:%s", rp->hash);
        kv_cmdargv(req_kv(r), r->arena, 5, argv, NULL);
    } else if (rp->mode == 2) {
        if (db_exec(req_db(r), "DELETE FROM login_codes WHERE code_hash = ? AND reply_sealed = ''",
                    "s", rp->hash) < 0)
            log_warn("login: a claim on a code stays until it expires (db %d)", db_errno(req_db(r)));
    }
    rp->mode = 0;
}

/* One look at login_codes for a finished reply. */
static char *lookup_once(req_t *r, replay_t *rp)
{
    long long now = clock_now_s();
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT reply_sealed, expires_at FROM login_codes"
                             " WHERE code_hash = ? AND expires_at > ? AND reply_sealed <> ''",
                             "si", rp->hash, now);
    char *reply = NULL;
    if (!res || !res->nrows || unseal_str(r, db_get(res, 0, 0), &reply) < 0)
        return NULL;
    long long ttl = db_int(res, 0, 1) - now;
    kv_cmd(req_kv(r), r->arena, "SET login:c:%s %s EX %lld", rp->hash,
           arena_sprintf(r->arena, "%lld %s", db_int(res, 0, 1), db_get(res, 0, 0)),
           ttl > 0 && ttl <= LOGIN_REPLAY_S ? ttl : LOGIN_REPLAY_S);
    return reply;
}

char *replay_lookup_db(req_t *r, replay_t *rp)
{
    /* WeChat has already given the code to whoever used it, so if that was
     * a twin of this request (claimed through the other arbiter while Redis
     * came or went), only its commit is missing: look a few times. */
    int64_t deadline = mono_us() + LOOKUP_WAIT_MS * 1000;
    for (;;) {
        char *reply = lookup_once(r, rp);
        if (reply || mono_us() >= deadline)
            return reply;
        req_release_stores(r);
        usleep(4 * POLL_MS * 1000);
    }
}
