/* draw.c: the draw's commitment, frozen candidate list, reveal and winners
 * (see prizes.h and README "The draw"). MariaDB holds every step; a step
 * is refused rather than repeated differently (one commitment, one frozen
 * list, one reveal per contest). */
#define _GNU_SOURCE
#include "engines/prizes/prizes.h"
#include "engines/accounts/seal.h"
#include "engines/accounts/session.h"
#include "rules/draw_rng.h"
#include "rules/mask.h"
#include "rules/names.h"
#include "rules/phone_id.h"
#include "rules/score.h"
#include "server/clock.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>

long long prizes_full_marks(const contest_t *c)
{
    return (long long)contest_questions_per_attempt(c) * c->points_per_question;
}

static status_t store_err(req_t *r)
{
    (void)r;
    return ST_STORE;
}

/* Fill why and return st: a check failed, for the handler to answer. */
static status_t fail(prizes_why_t *why, status_t st, const char *code, const char *message)
{
    why->code = code;
    why->message = message;
    return st;
}

static int is_hex64(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return 0;
    return 1;
}

status_t prizes_commit(req_t *r, const contest_t *c, const char *seed_sha256, const char *pv_source, json_t **out,
                       prizes_why_t *why)
{
    char source[DRAW_PUBLIC_VALUE_MAX + 1];
    if (!is_hex64(seed_sha256))
        return fail(why, ST_INVALID, "invalid_parameter", "seed_sha256: 64 hex digits (SHA-256 of the seed's bytes)");
    if (!pv_source || rules_text_field(pv_source, 4, 100, source, sizeof source) < 0)
        return fail(why, ST_INVALID, "invalid_parameter",
                    "public_value_source: 4 to 100 characters naming a public value that does not exist yet");
    long long now = clock_now_s();
    if (now >= c->ends_at)
        return fail(why, ST_CONFLICT, "contest_ended", "a commitment must be made before the contest ends");
    char lower[65];
    for (int i = 0; i < 65; i++)
        lower[i] = (char)(seed_sha256[i] >= 'A' && seed_sha256[i] <= 'F' ? seed_sha256[i] + 32 : seed_sha256[i]);
    long long n = db_exec(req_db(r),
                          "INSERT INTO draws (contest_id, seed_sha256, public_value_source, committed_at, committed_by)"
                          " VALUES (?, ?, ?, ?, ?)", "issii", c->id, lower, source, now, session_caller(r)->organizer_id);
    if (n < 0) {
        if (db_errno(req_db(r)) == DB_ER_DUP_ENTRY)
            return fail(why, ST_CONFLICT, "already_committed", "this contest's draw is already committed");
        return store_err(r);
    }
    log_info("draw of contest %lld committed by organizer %lld", c->id, session_caller(r)->organizer_id);
    char iso[32];
    iso8601_format_shanghai(now, iso);
    *out = json_pack("{s:{s:s,s:s,s:s}}", "commitment", "seed_sha256", lower, "public_value_source", source,
                     "committed_at", iso);
    return ST_OK;
}

/* ---- the candidate list ---- */

typedef struct {
    char h[65];
    size_t idx;
} phone_key_t;

static int cmp_phone(const void *a, const void *b)
{
    const phone_key_t *x = a, *y = b;
    int d = strcmp(x->h, y->h);
    return d ? d : (x->idx > y->idx) - (x->idx < y->idx);
}

/* phone_group of each candidate: 1 + the position of the first candidate
 * with the same verified phone (compared by a hash kept in memory only). */
static void phone_groups(const db_res_t *res, prize_cand_t *cands)
{
    const unsigned char *key = seal_key();
    size_t n = res->nrows, m = 0;
    phone_key_t *k = calloc(n + 1, sizeof *k);
    if (!k)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *sealed = db_get(res, i, 3);
        char *plain = NULL;
        if (!sealed || !key || crypto_open(key, sealed, &plain) != 0)
            continue;
        char canon[32];
        int ok = rules_phone_canonical(plain, canon, sizeof canon) == 0;
        if (ok)
            crypto_sha256_hex(canon, strlen(canon), k[m].h);
        explicit_bzero(canon, sizeof canon);
        explicit_bzero(plain, strlen(plain));
        free(plain);
        if (ok)
            k[m++].idx = i;
    }
    qsort(k, m, sizeof *k, cmp_phone);
    for (size_t i = 0; i < m; i++) {
        size_t first = i;
        while (first > 0 && strcmp(k[first - 1].h, k[i].h) == 0)
            first--;
        cands[k[i].idx].phone_group = k[first].idx + 1;
    }
    free(k);
}

/* Candidates: real-name profiles with a score in the contest, canonical
 * order. A person who withdrew (DELETE /me, engines/accounts/privacy.c)
 * keeps an anonymous profile and score but is marked users.erased_at:
 * no longer a candidate. */
static const char CANDIDATES_SQL[] =
    "SELECT s.user_id, s.score, s.reached_at, u.phone_sealed"
    " FROM contest_scores s JOIN profiles p ON p.user_id = s.user_id JOIN users u ON u.id = s.user_id"
    " WHERE s.contest_id = ? AND p.real_name <> '' AND u.erased_at IS NULL"
    " ORDER BY s.score DESC, s.reached_at ASC, s.user_id ASC";

/* Build the file text (malloc'd) for contest c. Returns ST_OK or ST_STORE. */
static status_t build_candidates(req_t *r, const contest_t *c, char **text, size_t *len)
{
    db_res_t *res = db_query(req_db(r), r->arena, CANDIDATES_SQL, "i", c->id);
    if (!res)
        return store_err(r);
    size_t n = res->nrows;
    prize_cand_t *cands = calloc(n + 1, sizeof *cands);
    if (!cands)
        return store_err(r);
    for (size_t i = 0; i < n; i++)
        cands[i] = (prize_cand_t){ .user_id = db_int(res, i, 0), .score = db_int(res, i, 1),
                                   .reached_at = db_int(res, i, 2) };
    phone_groups(res, cands);
    /* The settings on one line, compact, whatever spacing the column holds. */
    json_t *ps = json_loads(c->prize_settings, 0, NULL);
    char *settings = ps ? json_dumps(ps, JSON_COMPACT) : NULL;
    json_decref(ps);
    char *head = settings ? rules_draw_file_header(c->id, prizes_full_marks(c), settings, n) : NULL;
    free(settings);
    /* A line is four numbers of at most 20 digits and four separators. */
    size_t cap = (head ? strlen(head) : 0) + n * 84 + 1, used = 0;
    char *buf = head ? malloc(cap) : NULL;
    if (buf) {
        used = (size_t)snprintf(buf, cap, "%s", head);
        for (size_t i = 0; i < n && used < cap; i++)
            used += (size_t)snprintf(buf + used, cap - used, "%lld %lld %lld %zu\n", cands[i].user_id,
                                     cands[i].score, cands[i].reached_at, cands[i].phone_group);
        if (used >= cap) {
            free(buf);
            buf = NULL;
        }
    }
    free(head);
    free(cands);
    if (!buf)
        return store_err(r);
    *text = buf;
    *len = used;
    return ST_OK;
}

/* The draws row of a contest, locked when for_update. NULL with *rc set. */
static db_res_t *load_draw(req_t *r, long long contest_id, int for_update, status_t *rc)
{
    db_res_t *d = db_query(req_db(r), r->arena,
                           for_update ? "SELECT seed_sha256, public_value_source, committed_at, candidates_sha256,"
                                        " seed_hex, public_value, algorithm, revealed_at, frozen_at"
                                        " FROM draws WHERE contest_id = ? FOR UPDATE"
                                      : "SELECT seed_sha256, public_value_source, committed_at, candidates_sha256,"
                                        " seed_hex, public_value, algorithm, revealed_at, frozen_at"
                                        " FROM draws WHERE contest_id = ?",
                           "i", contest_id);
    *rc = d ? ST_OK : store_err(r);
    return d;
}

/* Freeze inside the caller's transaction (draw row locked, not frozen). */
static status_t freeze_locked(req_t *r, const contest_t *c, const char **sha)
{
    char *text = NULL;
    size_t len = 0;
    status_t rc = build_candidates(r, c, &text, &len);
    if (rc != ST_OK)
        return rc;
    char h[65];
    crypto_sha256_hex(text, len, h);
    long long n = db_exec(req_db(r), "UPDATE draws SET candidates = ?, candidates_sha256 = ?, frozen_at = ?,"
                          " frozen_by = ? WHERE contest_id = ? AND frozen_at IS NULL",
                          "ssiii", text, h, (long long)clock_now_s(), session_caller(r)->organizer_id, c->id);
    free(text);
    if (n < 0)
        return store_err(r);
    *sha = arena_strdup(r->arena, h);
    log_info("draw candidates of contest %lld frozen by organizer %lld", c->id, session_caller(r)->organizer_id);
    return ST_OK;
}

/* The checks before freeze and reveal that need no lock. */
static status_t after_end(const contest_t *c, prizes_why_t *why)
{
    if (clock_now_s() < c->ends_at)
        return fail(why, ST_CONFLICT, "contest_not_ended", "the contest has not ended yet");
    if (!c->prize_settings)
        return fail(why, ST_CONFLICT, "no_prizes", "this contest has no prize settings");
    return ST_OK;
}

/* Freeze and reveal each run as one transaction under db_tx (server/db.h),
 * tried again after a deadlock or a lock wait: the draws row is locked
 * first, then the freeze reads every score of the contest. A failed check
 * returns its (negative) status and db_tx rolls back. */
typedef struct {
    req_t *r;
    const contest_t *c;
    const char *seed_hex, *public_value;
    const char *sha;            /* freeze: the candidates' SHA-256 */
    prizes_why_t *why;
} draw_tx_t;

/* The contest's draws row, locked: NULL with *rc set. */
static db_res_t *lock_draw(draw_tx_t *x, status_t *rc)
{
    db_res_t *d = load_draw(x->r, x->c->id, 1, rc);
    if (d && !d->nrows) {
        *rc = fail(x->why, ST_CONFLICT, "no_commitment", "no commitment was made for this contest's draw");
        return NULL;
    }
    return d;
}

static int freeze_tx(db_t *db, void *ctx)
{
    draw_tx_t *x = ctx;
    status_t rc;
    db_res_t *d = lock_draw(x, &rc);
    if (!d)
        return rc;
    if (db_get(d, 0, 3)) {      /* frozen before: the same list */
        x->sha = db_get(d, 0, 3);
        db_rollback(db);
        return ST_OK;
    }
    if ((rc = freeze_locked(x->r, x->c, &x->sha)) != ST_OK)
        return rc;
    return db_commit(db) < 0 ? ST_STORE : ST_OK;
}

status_t prizes_freeze(req_t *r, const contest_t *c, const char **sha, prizes_why_t *why)
{
    status_t rc = after_end(c, why);
    if (rc != ST_OK)
        return rc;
    draw_tx_t x = { r, c, NULL, NULL, NULL, why };
    if ((rc = (status_t)db_tx(req_db(r), freeze_tx, &x)) == ST_OK)
        *sha = x.sha;
    return rc;
}

/* What the public list shows of a winner, taken now. */
static status_t winner_row(req_t *r, const contest_t *c, const draw_result_t *d, long i, int pos)
{
    const prize_award_t *a = &d->awards[i];
    long long uid = d->file.cands[a->cand].user_id;
    db_res_t *p = db_query(req_db(r), r->arena,
                           "SELECT p.real_name, IFNULL(un.name, ''), u.phone_sealed IS NOT NULL FROM profiles p"
                           " JOIN users u ON u.id = p.user_id LEFT JOIN units un ON un.id = p.board_unit_id"
                           " WHERE p.user_id = ?", "i", uid);
    if (!p)
        return store_err(r);
    char masked[64];
    rules_mask_name(p->nrows ? db_get(p, 0, 0) : "", masked, sizeof masked);
    long long n = db_exec(req_db(r),
                          "INSERT INTO prize_winners (contest_id, user_id, prize_group, prize_name, position, by_draw,"
                          " name_masked, unit_name, phone_verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          "iiisiissii", c->id, uid, (long long)a->group,
                          rules_prize_group_name(&d->file.settings, a->group), (long long)pos,
                          (long long)a->by_draw, masked, p->nrows ? db_get(p, 0, 1) : "",
                          p->nrows ? db_int(p, 0, 2) : 0LL, (long long)clock_now_s());
    return n < 0 ? store_err(r) : ST_OK;
}

static status_t check_seed(req_t *r, const char *seed_hex, const char *public_value, const char *commitment,
                           prizes_why_t *why)
{
    unsigned char seed[DRAW_SEED_MAX];
    int sl = seed_hex ? rules_hex_decode(seed_hex, seed, sizeof seed) : -1;
    if (sl < DRAW_SEED_MIN)
        return fail(why, ST_INVALID, "invalid_parameter",
                    arena_sprintf(r->arena, "seed: %d to %d bytes as hex", DRAW_SEED_MIN, DRAW_SEED_MAX));
    char clean[DRAW_PUBLIC_VALUE_MAX + 1];
    if (!public_value || rules_text_field(public_value, 1, 100, clean, sizeof clean) < 0 ||
        strcmp(clean, public_value) != 0)
        return fail(why, ST_INVALID, "invalid_parameter",
                    "public_value: 1 to 100 characters, as published, without surrounding spaces");
    char h[65];
    crypto_sha256_hex(seed, (size_t)sl, h);
    if (strcmp(h, commitment) != 0)
        return fail(why, ST_INVALID, "seed_mismatch", "the seed's SHA-256 is not the commitment");
    return ST_OK;
}

static status_t store_winners(req_t *r, const contest_t *c, const draw_result_t *d)
{
    int group = -1, pos = 0;
    for (long i = 0; i < d->nawards; i++) {
        pos = d->awards[i].group == group ? pos + 1 : 1;
        group = d->awards[i].group;
        status_t rc = winner_row(r, c, d, i, pos);
        if (rc != ST_OK)
            return rc;
    }
    return ST_OK;
}

static status_t reveal_locked(req_t *r, const contest_t *c, db_res_t *d, const char *seed_hex, const char *pv,
                              prizes_why_t *why)
{
    if (db_get(d, 0, 7))
        return fail(why, ST_CONFLICT, "already_revealed", "this contest's draw was already revealed");
    status_t rc = check_seed(r, seed_hex, pv, db_get(d, 0, 0), why);
    if (rc != ST_OK)
        return rc;
    const char *sha = db_get(d, 0, 3);
    if (!sha && (rc = freeze_locked(r, c, &sha)) != ST_OK)
        return rc;
    db_res_t *f = db_query(req_db(r), r->arena, "SELECT candidates FROM draws WHERE contest_id = ?", "i", c->id);
    if (!f || !f->nrows)
        return store_err(r);
    draw_result_t res;
    char err[256];
    if (prizes_draw_run(db_get(f, 0, 0), f->lens[0], seed_hex, pv, &res, err, sizeof err) < 0) {
        log_error("draw of contest %lld: %s", c->id, err);
        prizes_draw_result_free(&res);
        return store_err(r);
    }
    rc = store_winners(r, c, &res);
    prizes_draw_result_free(&res);
    if (rc != ST_OK)
        return rc;
    if (db_exec(req_db(r), "UPDATE draws SET seed_hex = ?, public_value = ?, algorithm = ?, revealed_at = ?,"
                " revealed_by = ? WHERE contest_id = ?", "sssiii", seed_hex, pv, DRAW_ALGORITHM,
                (long long)clock_now_s(), session_caller(r)->organizer_id, c->id) < 0)
        return store_err(r);
    return ST_OK;
}

static int reveal_tx(db_t *db, void *ctx)
{
    draw_tx_t *x = ctx;
    status_t rc;
    db_res_t *d = lock_draw(x, &rc);
    if (!d || (rc = reveal_locked(x->r, x->c, d, x->seed_hex, x->public_value, x->why)) != ST_OK)
        return rc;
    return db_commit(db) < 0 ? ST_STORE : ST_OK;
}

status_t prizes_reveal(req_t *r, const contest_t *c, const char *seed_hex, const char *public_value, json_t **out,
                       prizes_why_t *why)
{
    status_t rc = after_end(c, why);
    if (rc != ST_OK)
        return rc;
    draw_tx_t x = { r, c, seed_hex, public_value, NULL, why };
    if ((rc = (status_t)db_tx(req_db(r), reveal_tx, &x)) != ST_OK)
        return rc;
    log_info("draw of contest %lld revealed by organizer %lld", c->id, session_caller(r)->organizer_id);
    json_t *body;
    if ((rc = prizes_winners(r, c, 1, &body)) == ST_NOT_FOUND)
        return fail(why, ST_NOT_FOUND, "not_found", "no draw has been committed for this contest");
    if (rc != ST_OK)
        return rc;
    /* The contract's flat list beside the tiers: every winner with its prize. */
    json_t *flat = json_array(), *t;
    size_t i, k;
    json_array_foreach(json_object_get(body, "tiers"), i, t) {
        json_t *w;
        json_array_foreach(json_object_get(t, "winners"), k, w) {
            json_t *e = json_deep_copy(w);
            json_object_set(e, "prize", json_object_get(t, "name"));
            json_array_append_new(flat, e);
        }
    }
    json_object_set_new(body, "winners", flat);
    *out = body;
    return ST_OK;
}

static json_t *tiers_json(req_t *r, const contest_t *c, int organizer, status_t *rc)
{
    prize_settings_t s;
    char err[200];
    json_t *ps = json_loads(c->prize_settings, 0, NULL);
    int bad = rules_prize_settings_parse(ps, &s, err, sizeof err) < 0;
    json_decref(ps);
    json_t *tiers = json_array();
    if (bad)
        return tiers;
    db_res_t *w = db_query(req_db(r), r->arena,
                           "SELECT prize_group, name_masked, unit_name, user_id, by_draw, phone_verified"
                           " FROM prize_winners WHERE contest_id = ? ORDER BY prize_group, position", "i", c->id);
    if (!w) {
        json_decref(tiers);
        *rc = store_err(r);
        return NULL;
    }
    for (int g = 0; g < rules_prize_groups(&s); g++) {
        json_t *list = json_array();
        for (size_t i = 0; i < w->nrows; i++) {
            if (db_int(w, i, 0) != g)
                continue;
            json_t *e = json_pack("{s:s,s:s,s:b}", "name_masked", db_get(w, i, 1), "unit_name", db_get(w, i, 2),
                                  "by_draw", (int)db_int(w, i, 4));
            if (organizer) {
                json_object_set_new(e, "user_id", json_integer(db_int(w, i, 3)));
                json_object_set_new(e, "phone_verified", json_boolean(db_int(w, i, 5)));
            }
            json_array_append_new(list, e);
        }
        json_array_append_new(tiers, json_pack("{s:s,s:o}", "name", rules_prize_group_name(&s, g), "winners", list));
    }
    return tiers;
}

status_t prizes_winners(req_t *r, const contest_t *c, int organizer, json_t **out)
{
    status_t rc;
    db_res_t *d = load_draw(r, c->id, 0, &rc);
    if (!d)
        return rc;
    if (!d->nrows || !c->prize_settings)
        return ST_NOT_FOUND;
    json_t *tiers = tiers_json(r, c, organizer, &rc);
    if (!tiers)
        return rc;
    char iso[32];
    iso8601_format_shanghai(db_int(d, 0, 2), iso);
    int revealed = db_get(d, 0, 7) != NULL;
    json_t *body = json_pack("{s:i,s:o,s:{s:s,s:s,s:s},s:s?,s:s?,s:s?,s:s?,s:b}", "contest_id", (int)c->id,
                             "tiers", tiers, "commitment", "seed_sha256", db_get(d, 0, 0), "public_value_source",
                             db_get(d, 0, 1), "committed_at", iso, "candidates_sha256", db_get(d, 0, 3), "seed",
                             revealed ? db_get(d, 0, 4) : NULL, "public_value", revealed ? db_get(d, 0, 5) : NULL,
                             "algorithm", revealed ? db_get(d, 0, 6) : NULL, "revealed", revealed);
    if (!body)
        return store_err(r);
    *out = body;
    return ST_OK;
}

status_t prizes_candidates_file(db_t *db, arena_t *a, long long contest_id, const char **text, size_t *len)
{
    db_res_t *f = db_query(db, a, "SELECT candidates FROM draws WHERE contest_id = ?"
                           " AND candidates IS NOT NULL", "i", contest_id);
    if (!f)
        return ST_STORE;
    if (!f->nrows)
        return ST_NOT_FOUND;
    *text = db_get(f, 0, 0);
    *len = f->lens[0];
    return ST_OK;
}
