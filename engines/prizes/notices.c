/* notices.c: subscribe messages to winners and certificate holders.
 *
 * At most once: a notice is claimed (pending -> sending) by one server
 * before WeChat is called and never goes back to pending after a call whose
 * outcome is unknown; only WeChat's "system busy" (-1, which sends nothing)
 * is retried, later, with a growing delay. The WeChat client itself never
 * repeats a subscribe send that may have left (wx_client.h). */
#include "engines/prizes/prizes.h"
#include "rules/names.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "wx/wx_client.h"

#include <string.h>

#define NOTICE_MAX_ATTEMPTS 6
#define NOTICE_BATCH 10

status_t prizes_subscribe(db_t *db, long long user_id, const char *t)
{
    if (!t || (strcmp(t, "result") && strcmp(t, "certificate") && strcmp(t, "event")))
        return ST_INVALID;
    /* A new acceptance allows one more message of that kind. */
    if (db_exec(db, "INSERT INTO subscriptions (user_id, template, accepted_at) VALUES (?, ?, ?)"
                " ON DUPLICATE KEY UPDATE accepted_at = VALUES(accepted_at), used_at = NULL",
                "isi", user_id, t, (long long)clock_now_s()) < 0)
        return ST_STORE;
    return ST_OK;
}

/* Queue what is due. INSERT IGNORE on the unique key: each notice once,
 * however many servers run this and however often. */
static void enqueue(db_t *db, long long now)
{
    /* Winners of draws revealed in the last 30 days. Driven from the few
     * draws, then winners by contest, then the subscription by key. */
    if (db_exec(db, "INSERT IGNORE INTO notices (kind, contest_id, user_id, next_at, created_at)"
            " SELECT 'result', w.contest_id, w.user_id, ?, ? FROM draws d"
            " STRAIGHT_JOIN prize_winners w ON w.contest_id = d.contest_id"
            " STRAIGHT_JOIN subscriptions s ON s.user_id = w.user_id AND s.template = 'result' AND s.used_at IS NULL"
            " JOIN users u ON u.id = w.user_id AND u.erased_at IS NULL"
            " WHERE d.revealed_at IS NOT NULL AND d.revealed_at > ?", "iii", now, now, now - 30 * 86400) < 0)
        log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
    /* People who reached a contest's certificate threshold with a verified
     * phone, while its certificates can be downloaded. (One per phone is
     * decided at download.) Driven from the few contests in their window,
     * then the open subscriptions, then the score by its key.
     * A withdrawn account (users.erased_at, engines/accounts/privacy.c) has
     * no phone and no WeChat id left, so it is never queued. */
    if (db_exec(db, "INSERT IGNORE INTO notices (kind, contest_id, user_id, next_at, created_at)"
            " SELECT 'certificate', c.id, s.user_id, ?, ? FROM contests c"
            " STRAIGHT_JOIN subscriptions s ON s.template = 'certificate' AND s.used_at IS NULL"
            " STRAIGHT_JOIN contest_scores cs ON cs.contest_id = c.id AND cs.user_id = s.user_id"
            "  AND cs.score >= c.certificate_threshold"
            " JOIN profiles p ON p.user_id = s.user_id"
            " JOIN users u ON u.id = s.user_id AND u.phone_sealed IS NOT NULL AND u.erased_at IS NULL"
            " WHERE c.certificate_threshold IS NOT NULL AND c.ends_at <= ?"
            "  AND ? < c.ends_at + IFNULL(c.certificate_days, 0) * 86400", "iiii", now, now, now, now) < 0)
        log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
}

/* The message's data: template fields are "thing" values of at most 20 characters. */
static json_t *message_data(const char *kind, const char *contest, const char *prize)
{
    char name[81];
    if (rules_text_field(contest, 1, 20, name, sizeof name) < 0)
        snprintf(name, sizeof name, "%s", "安全知识竞赛");
    if (strcmp(kind, "result") == 0)
        return json_pack("{s:{s:s},s:{s:s}}", "thing1", "value", name, "thing2", "value",
                         prize && *prize ? prize : "获奖");
    return json_pack("{s:{s:s},s:{s:s}}", "thing1", "value", name, "thing2", "value", "学时证明可以下载了");
}

static void finish(db_t *db, long long id, const char *state, long long user_id, const char *kind, int errcode,
                   long long now)
{
    if (db_exec(db, "UPDATE notices SET state = ?, last_errcode = ?, sent_at = IF(? = 'sent', ?, sent_at) WHERE id = ?",
            "sisii", state, (long long)errcode, state, now, id) < 0)
        log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
    /* The one message the person allowed is used (sent, or WeChat says it is gone). */
    if (db_exec(db, "UPDATE subscriptions SET used_at = ? WHERE user_id = ? AND template = ?", "iis", now, user_id, kind) < 0)
        log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
}

static void send_one(db_t *db, kv_t *kv, wx_client_t *wx, arena_t *a, db_res_t *q, size_t k, long long now)
{
    long long id = db_int(q, k, 0), user = db_int(q, k, 3), attempts = db_int(q, k, 4);
    const char *kind = db_get(q, k, 1);
    if (db_exec(db, "UPDATE notices SET state = 'sending', attempts = attempts + 1, next_at = ?"
                " WHERE id = ? AND state = 'pending'", "ii", now, id) != 1)
        return;     /* another server has it */
    db_res_t *u = db_query(db, a, "SELECT u.openid, c.name, IFNULL(w.prize_name, '') FROM users u"
                           " JOIN contests c ON c.id = ? LEFT JOIN prize_winners w ON w.contest_id = c.id"
                           " AND w.user_id = u.id WHERE u.id = ?", "ii", db_int(q, k, 2), user);
    const char *tpl = strcmp(kind, "result") == 0 ? g_config.wx_tpl_result : g_config.wx_tpl_certificate;
    if (!u || !u->nrows || !*tpl) {
        finish(db, id, "failed", user, kind, 0, now);
        return;
    }
    json_t *data = message_data(kind, db_get(u, 0, 1), db_get(u, 0, 2));
    const char *page = strcmp(kind, "result") == 0 ? "pages/prizes/index" : "pages/certificate/index";
    wx_err_t err;
    int rc = wx_subscribe_send(wx, WX_REDIS_FIXED(kv_ctx(kv)), db_get(u, 0, 0), tpl, page, data, &err);
    json_decref(data);
    if (rc == 0) {
        finish(db, id, "sent", user, kind, 0, now);
    } else if (err.wx_errcode == 43101) {
        finish(db, id, "skipped", user, kind, err.wx_errcode, now);
    } else if (err.wx_errcode == -1 && attempts + 1 < NOTICE_MAX_ATTEMPTS) {
        /* "System busy": nothing was sent; try again later. */
        long long delay = 2LL << attempts;
        if (db_exec(db, "UPDATE notices SET state = 'pending', next_at = ?, last_errcode = -1 WHERE id = ?", "ii",
                now + delay, id) < 0)
            log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
    } else {
        /* Given up, or the outcome is unknown: sending again could send twice. */
        if (db_exec(db, "UPDATE notices SET state = 'failed', last_errcode = ? WHERE id = ?", "ii",
                (long long)err.wx_errcode, id) < 0)
            log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
        log_error("notice %lld (%s) not sent: wechat errcode %d", id, kind, err.wx_errcode);
    }
}

void prizes_notices_tick(db_t *db, kv_t *kv)
{
    static int64_t next_enqueue_us;   /* monotonic: tests move the contest clock both ways */
    static wx_client_t *wx;           /* the background thread's own client */
    long long now = clock_now_s();
    arena_t a;
    arena_init(&a);
    if (mono_us() >= next_enqueue_us) {
        enqueue(db, now);
        /* A claim older than ten minutes belongs to a server that stopped
         * mid-send: the outcome is unknown, so it is closed, not resent. */
        if (db_exec(db, "UPDATE notices SET state = 'failed', last_errcode = NULL WHERE state = 'sending'"
                " AND next_at < ?", "i", now - 600) < 0)
            log_error("notices: a statement failed (MariaDB %d)", db_errno(db));
        next_enqueue_us = mono_us() + 2000000;
    }
    db_res_t *q = db_query(db, &a, "SELECT id, kind, contest_id, user_id, attempts FROM notices"
                           " WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?",
                           "ii", now, (long long)NOTICE_BATCH);
    if (q && q->nrows && !wx)
        wx = wx_client_new();
    for (size_t k = 0; q && wx && k < q->nrows; k++)
        send_one(db, kv, wx, &a, q, k, now);
    arena_free(&a);
}
