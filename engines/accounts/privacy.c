/* privacy.c: the notice, consent, a person's data and erasing a person
 * (see accounts.h). */
#include "engines/accounts/accounts.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* A read is tried twice: a connection left stale by a MariaDB restart fails
 * its first call and reconnects on the next (server/db.h). */
#define READ_TWICE(res, call) \
    do { (res) = NULL; for (int try_ = 0; try_ < 2 && !(res); try_++) (res) = (call); } while (0)

int privacy_current(req_t *r, long long *version, const char **text)
{
    db_res_t *res;
    READ_TWICE(res, db_query(req_db(r), r->arena,
                             "SELECT version, text FROM privacy_notices ORDER BY version DESC LIMIT 1",
                             ""));
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_NOT_FOUND;
    *version = db_int(res, 0, 0);
    *text = db_get(res, 0, 1);
    return ST_OK;
}

int consent_check(req_t *r, json_t *body, long long *record)
{
    *record = 0;
    db_res_t *res;
    READ_TWICE(res, db_query(req_db(r), r->arena,
                             "SELECT n.version, EXISTS (SELECT 1 FROM consents c WHERE c.user_id = ?"
                             " AND c.version = n.version) FROM privacy_notices n"
                             " ORDER BY n.version DESC LIMIT 1", "i", r->auth.user_id));
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_OK;                          /* no notice at all: nothing to accept */
    long long cur = db_int(res, 0, 0);
    if (db_int(res, 0, 1))
        return ST_OK;                          /* accepted already */
    json_t *v = json_object_get(body, "consent_version");
    if (json_is_integer(v) && json_integer_value(v) == cur) {
        *record = cur;
        return ST_OK;
    }
    reply_error(r, 400, "consent_required",
                "accept the privacy notice in force (GET /privacy) and send its version as"
                " consent_version");
    return ST_REPLIED;
}

int consent_record(req_t *r, long long version)
{
    if (db_exec(req_db(r), "INSERT IGNORE INTO consents (user_id, version, accepted_at)"
                           " VALUES (?, ?, ?)",
                "iii", r->auth.user_id, version, (long long)clock_now_s()) < 0)
        return ST_STORE;
    return ST_OK;
}

/* ---- what is held about a person ---- */

/* Rows of a query as an array of objects, one key per column (names[]);
 * kinds has one letter per column: 'i' an integer, 's' text. */
static json_t *rows(const char *const *names, const char *kinds, db_res_t *res)
{
    json_t *arr = json_array();
    for (size_t i = 0; res && i < res->nrows; i++) {
        json_t *o = json_object();
        for (size_t c = 0; names[c]; c++) {
            const char *v = db_get(res, i, c);
            json_object_set_new(o, names[c], !v ? json_null()
                                             : kinds[c] == 'i' ? json_integer(db_int(res, i, c))
                                                               : json_string(v));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *privacy_export(req_t *r, long long uid)
{
    db_t *db = req_db(r);
    db_res_t *u;
    READ_TWICE(u, db_query(db, r->arena,
                           "SELECT id, openid, unionid, phone_masked, roles, admin_unit_id, created_at,"
                           " last_login_at FROM users WHERE id = ?", "i", uid));
    if (!u || !u->nrows)
        goto fail;
    static const char *const acct[] = { "id", "openid", "unionid", "phone_masked", "roles",
                                        "admin_unit_id", "created_at", "last_login_at", NULL };
    json_t *list = rows(acct, "isssiiii", u);
    json_t *account = json_array_get(list, 0);
    json_incref(account);
    json_decref(list);
    json_t *out = json_pack("{s:o}", "account", account);

    struct { const char *key, *sql, *kinds; const char *const names[10]; } parts[] = {
        { "consents", "SELECT version, accepted_at FROM consents WHERE user_id = ? ORDER BY version",
          "ii", { "version", "accepted_at", NULL } },
        { "scores", "SELECT contest_id, score, reached_at, attempts_submitted, first_submitted_at"
                    " FROM contest_scores WHERE user_id = ? ORDER BY contest_id",
          "iiiii", { "contest_id", "score", "reached_at", "attempts_submitted", "first_submitted_at",
                     NULL } },
        { "attempts", "SELECT id, contest_id, started_at, submitted_at, score, correct_count"
                      " FROM attempts WHERE user_id = ? ORDER BY id",
          "iiiiii", { "attempt_id", "contest_id", "started_at", "submitted_at", "score",
                      "correct_count", NULL } },
        { "name_changes", "SELECT old_name, new_name, contest_id, changed_at FROM name_changes"
                          " WHERE user_id = ? ORDER BY id",
          "ssii", { "old_name", "new_name", "contest_id", "changed_at", NULL } },
        { "units_registered", "SELECT id, name, credit_code, contact_name, created_at FROM units"
                              " WHERE created_by = ? ORDER BY id",
          "isssi", { "unit_id", "name", "credit_code", "contact_name", "created_at", NULL } },
        { "admin_applications", "SELECT id, unit_id, applicant_name, phone_masked, state, created_at"
                                " FROM admin_applications WHERE user_id = ? ORDER BY id",
          "iisssi", { "application_id", "unit_id", "applicant_name", "phone_masked", "state",
                      "created_at", NULL } },
        { "uploads", "SELECT id, media_type, size, created_at FROM uploads WHERE user_id = ?"
                     " ORDER BY id",
          "isii", { "upload_id", "media_type", "size", "created_at", NULL } },
        { "content_reviews", "SELECT kind, content, reason, state, created_at FROM content_reviews"
                             " WHERE user_id = ? ORDER BY id",
          "ssssi", { "kind", "content", "reason", "state", "created_at", NULL } },
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        db_res_t *res = db_query(db, r->arena, parts[i].sql, "i", uid);
        if (!res) {
            json_decref(out);
            goto fail;
        }
        json_object_set_new(out, parts[i].key, rows(parts[i].names, parts[i].kinds, res));
    }
    return out;
fail:
    return NULL;
}

/* ---- erasing a person ---- */

/* Put the erased name into a contest's board name cache (the live version
 * and one being built), keeping the unit the entry names, and drop the
 * cached top pages (B:pc, boards_lua.c) of the person's boards. ARGV: uid,
 * name, province, city, county, board unit ('' when none). */
static const char NAME_LUA[] =
    "local tag = KEYS[1]\n"
    "local function drop(P)\n"
    "  local bs = { 'p:n', 'p:p:' .. ARGV[3], 'p:c:' .. ARGV[4], 'p:x:' .. ARGV[5], 'p:u:' .. ARGV[6] }\n"
    "  for _, b in ipairs(bs) do redis.call('DEL', P .. b .. ':pc') end\n"
    "end\n"
    "local vs = { redis.call('GET', tag .. ':ver') }\n"
    "local b = redis.call('GET', tag .. ':building')\n"
    "if b then vs[#vs + 1] = string.match(b, '^(%d+)') end\n"
    "for _, v in ipairs(vs) do\n"
    "  if v then\n"
    "    local k = tag .. ':v' .. v .. ':nm'\n"
    "    local cur = redis.call('HGET', k, ARGV[1])\n"
    "    if cur then\n"
    "      local unit = string.match(cur, '^([^\\31]*)\\31') or ''\n"
    "      redis.call('HSET', k, ARGV[1], unit .. '\\31' .. ARGV[2])\n"
    "    end\n"
    "    drop(tag .. ':v' .. v .. ':')\n"
    "  end\n"
    "end\n"
    "return 1\n";

typedef struct {
    long long uid, now;
    const char *why;
} erase_ctx_t;

/* What the person entered about themselves or others beyond the account
 * and profile, in the tables of other engines (schema/040, 100, 140-142):
 * the contact person named for the units they registered, the contacts
 * and authors of their video receipts, their unit admin applications and
 * the scans uploaded with them, the name on their certificates (whose PDF
 * privacy_erase_user removes after the commit) and on the winners' list,
 * and content reviews that quote a name they gave. Rows stay (units,
 * works, awards, certificates and winners count as before); only the
 * personal fields are blanked or set to ERASED_NAME. Returns 0 or -1. */
static int erase_elsewhere(db_t *db, long long uid)
{
    if (db_exec(db, "UPDATE units SET contact_name = '', contact_phone_sealed = NULL"
                    " WHERE created_by = ?", "i", uid) < 0 ||
        db_exec(db, "UPDATE profiles SET position = NULL WHERE user_id = ?", "i", uid) < 0 ||
        db_exec(db, "DELETE FROM content_reviews WHERE user_id = ?"
                    " AND kind IN ('real_name', 'contact_name', 'position')", "i", uid) < 0 ||
        db_exec(db, "UPDATE video_receipts SET contact_name = ?, contact_phone_sealed = '',"
                    " contact_phone_masked = '' WHERE user_id = ?", "si", ERASED_NAME, uid) < 0 ||
        db_exec(db, "UPDATE video_items i JOIN video_receipts r ON r.id = i.receipt_id"
                    " SET i.author = ? WHERE r.user_id = ?", "si", ERASED_NAME, uid) < 0 ||
        db_exec(db, "UPDATE admin_applications SET applicant_name = ?, phone_sealed = '',"
                    " phone_masked = '' WHERE user_id = ?", "si", ERASED_NAME, uid) < 0 ||
        db_exec(db, "UPDATE uploads SET data = '', size = 0 WHERE user_id = ?", "i", uid) < 0 ||
        /* phone_id is unique per contest: a value of the serial's own frees
         * the number for the certificate of another account */
        db_exec(db, "UPDATE certificates SET real_name = ?, phone_id = CONCAT('erased:', serial)"
                    " WHERE user_id = ?", "si", ERASED_NAME, uid) < 0 ||
        db_exec(db, "UPDATE prize_winners SET name_masked = ? WHERE user_id = ?", "si",
                ERASED_NAME, uid) < 0)
        return -1;
    return 0;
}

/* The erasure, under db_tx (server/db.h): safe to run again. */
static int erase_tx(db_t *db, void *ctx)
{
    const erase_ctx_t *x = ctx;
    if (erase_elsewhere(db, x->uid) < 0)
        return ST_STORE;
    if (db_exec(db, "UPDATE users SET openid = CONCAT('erased:', id), unionid = NULL,"
                    " session_key_sealed = NULL, phone_sealed = NULL, phone_masked = NULL,"
                    " phone_hash = NULL, roles = 0, admin_unit_id = NULL,"
                    " erased_at = IFNULL(erased_at, ?) WHERE id = ?", "ii", x->now, x->uid) < 0 ||
        db_exec(db, "UPDATE profiles SET real_name = ?, name_review = 'pass' WHERE user_id = ?",
                "si", ERASED_NAME, x->uid) < 0 ||
        db_exec(db, "DELETE FROM name_changes WHERE user_id = ?", "i", x->uid) < 0 ||
        db_exec(db, "DELETE FROM content_reviews WHERE kind = 'real_name' AND subject_id = ?",
                "i", x->uid) < 0 ||
        db_exec(db, "DELETE FROM console_codes WHERE user_id = ?", "i", x->uid) < 0 ||
        db_exec(db, "DELETE FROM sessions WHERE user_id = ?", "i", x->uid) < 0 ||
        db_exec(db, "INSERT INTO privacy_log (action, user_id, detail, created_at)"
                    " VALUES ('erase', ?, ?, ?)", "isi", x->uid, x->why, x->now) < 0 ||
        db_commit(db) < 0)
        return ST_STORE;
    return ST_OK;
}

int privacy_erase_user(db_t *db, kv_t *kv, arena_t *a, long long uid, const char *why)
{
    db_res_t *sess = db_query(db, a, "SELECT token_hash FROM sessions WHERE user_id = ?", "i", uid);
    db_res_t *cs = db_query(db, a, "SELECT contest_id FROM contest_scores WHERE user_id = ?", "i", uid);
    db_res_t *pr = db_query(db, a, "SELECT province_code, IFNULL(city_code, ''),"
                                   " IFNULL(county_code, ''), board_unit_id FROM profiles"
                                   " WHERE user_id = ?", "i", uid);
    db_res_t *certs = db_query(db, a, "SELECT serial FROM certificates WHERE user_id = ?", "i", uid);
    if (!sess || !cs || !pr || !certs)
        return ST_STORE;
    erase_ctx_t x = { .uid = uid, .now = clock_now_s(), .why = why };
    int st = db_tx(db, erase_tx, &x);
    if (st != ST_OK)
        return st;
    /* the kept PDFs print the name; a download after this makes a new one
     * from the erased row (engines/prizes/certificate.c) */
    for (size_t i = 0; i < certs->nrows; i++) {
        const char *path = arena_sprintf(a, "%s/certificates/%s.pdf", g_config.data_dir,
                                         db_get(certs, i, 0));
        if (unlink(path) < 0 && errno != ENOENT)
            log_warn("erase: a certificate file of user %lld is still on disk (errno %d)", uid, errno);
    }
    /* After the commit: the cached copies and the boards' names. */
    for (size_t i = 0; i < sess->nrows; i++)
        session_cache_drop(db, kv, a, db_get(sess, i, 0));
    const char *uid_s = arena_sprintf(a, "%lld", uid);
    for (size_t i = 0; i < cs->nrows; i++) {
        const char *argv[] = { "EVAL", NAME_LUA, "1", NULL, uid_s, ERASED_NAME, "", "", "", "" };
        argv[3] = arena_sprintf(a, "{c%lld}", db_int(cs, i, 0));
        for (int k = 0; pr->nrows && k < 4; k++)
            argv[6 + k] = db_get(pr, 0, (size_t)k) ? db_get(pr, 0, (size_t)k) : "";
        redisReply *rep = kv_cmdargv(kv, a, 10, argv, NULL);
        if (!rep || rep->type == REDIS_REPLY_ERROR)
            log_warn("erase: the boards of contest %lld still show the old name until the next"
                     " rebuild (Redis unreachable)", db_int(cs, i, 0));
    }
    return ST_OK;
}
