/* leaderboards.c: GET /leaderboards/individual, /units and /regions (public;
 * the individual board also shows a signed-in caller's own place), and an
 * organizer's POST/GET /admin/boards/rebuild.
 *
 * The pages come from the boards engine (lb_read, engines/boards/boards.h);
 * this file checks the query, finds the contest and writes the reply. While
 * the boards cannot be read (Redis down, or missing until rebuilt) a read
 * answers 503 boards_unavailable with Retry-After. */
#include "handlers/leaderboards.h"
#include "handlers/handlers.h"
#include "engines/accounts/session.h"
#include "engines/boards/boards.h"
#include "engines/quiz/contest.h"
#include "lib/fnv.h"
#include "lib/mono.h"
#include "rules/board_keys.h"
#include "rules/region_code.h"
#include "server/defer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unavailable(req_t *r)
{
    return reply_error(r, 503, "boards_unavailable", "the leaderboards are being rebuilt; try again shortly");
}

/* The contest a board read means: contest_id, or the main current one.
 * The main contest's id is kept for a second (it is MariaDB's answer, not
 * board state), so public reads without contest_id cost no SQL either.
 * Returns ST_OK, ST_REPLIED (after a 400 or 404) or ST_STORE. */
static int board_contest(req_t *r, long long *cid)
{
    static _Atomic long long cached_id;
    static _Atomic int64_t cached_until_us;
    const char *q = req_query(r, "contest_id");
    if (q && *q) {
        char *end;
        errno = 0;
        long long id = strtoll(q, &end, 10);
        if (errno || *end || id <= 0) {
            reply_error(r, 400, "invalid_parameter", "contest_id must be a positive integer");
            return ST_REPLIED;
        }
        *cid = id;
        return ST_OK;
    }
    int64_t now = mono_us();
    long long id = atomic_load(&cached_id);
    if (id > 0 && now < atomic_load(&cached_until_us)) {
        *cid = id;
        return ST_OK;
    }
    contest_t c;
    int rc = contest_load(r, 0, &c);
    if (rc == ST_NOT_FOUND) {
        reply_error(r, 404, "no_contest", "no such contest");
        return ST_REPLIED;
    }
    if (rc != ST_OK)
        return rc;
    atomic_store(&cached_id, c.id);
    atomic_store(&cached_until_us, now + 1000000);
    *cid = c.id;
    return ST_OK;
}

static int paging(req_t *r, lb_query_t *q)
{
    if (req_query_int(r, "limit", 20, 1, 100, &q->limit) < 0)
        return -1;
    if (req_query_int(r, "offset", 0, 0, 100000000, &q->offset) < 0)
        return -1;
    return 0;
}

/* order=score (the default) or participation: 0 or 1, -1 after a 400. */
static int order_param(req_t *r)
{
    const char *order = req_query(r, "order");
    if (!order || !*order || strcmp(order, "score") == 0)
        return 0;
    if (strcmp(order, "participation") == 0)
        return 1;
    reply_error(r, 400, "invalid_order", "order is score or participation");
    return -1;
}

/* 1 when an If-None-Match header names etag (or is "*"): a list of
 * entity tags separated by commas, each maybe weak (W/). */
static int etag_matches(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = header; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

/* Reply 200 with the page and its entity tag, or 304 with no body when the
 * client already holds it (If-None-Match). The body is the entries' text
 * followed by tail (the rest of the object); the tag hashes the same bytes,
 * continuing the entries' hash the engine keeps with the page, so the same
 * page, total and place give the same tag in every process. The client
 * revalidates every time (Cache-Control: no-cache): a board is live. */
static int reply_conditional(req_t *r, const lb_page_t *p, const char *tail)
{
    static const char head[] = "{\"entries\":";
    size_t tl = strlen(tail), len = sizeof head - 1 + p->entries_len + tl;
    uint64_t h = fnv64(p->entries_hash, tail, tl);
    char etag[24];
    snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
    reply_header(r, "ETag", etag);
    reply_header(r, "Cache-Control", "no-cache");
    if (r->if_none_match && etag_matches(r->if_none_match, etag))
        return reply_raw(r, 304, "application/json; charset=utf-8", "", 0);
    char *body = arena_alloc(r->arena, len + 1);
    memcpy(body, head, sizeof head - 1);
    memcpy(body + sizeof head - 1, p->entries, p->entries_len);
    memcpy(body + sizeof head - 1 + p->entries_len, tail, tl + 1);
    return reply_raw(r, 200, "application/json; charset=utf-8", body, len);
}

/* The session's part of a read of q's page, once the round trip that
 * carried its GET (beside the page's reads, session_peek_add) has run:
 * the place read was that of the user this token was last seen to be (the
 * hint); it is shown only once the session says it is that user's, and is
 * read again (one more round trip, a token's first read here) when the
 * hint was missing. A token with no valid session reads as no token.
 * Returns st, what the page's read returned, or ST_REPLIED after a 503
 * when the session's stores cannot answer. */
static int session_part(req_t *r, long long cid, lb_query_t *q, const kv_batch_t *b, const session_peek_t *sp,
                        status_t st, lb_page_t *p)
{
    int rc = st == ST_OK ? session_peek_result(r, b, sp) : -1;
    if (rc < 0)
        memset(&r->auth, 0, sizeof r->auth);
    if (st != ST_OK)
        return st;
    if (rc == -2) {
        reply_error(r, 503, "unavailable", "try again shortly");
        return ST_REPLIED;
    }
    long long uid = r->auth.user_id > 0 ? r->auth.user_id : 0;
    if (uid == q->me)
        return ST_OK;             /* the place read is the caller's, or none was asked or is due */
    p->me_rank = p->me_score = 0; /* another's (a hint for no valid session): never shown */
    if (!uid)
        return ST_OK;
    q->me = uid;
    return lb_read(r, cid, q, NULL, p);
}

/* Read q's page. A token on the individual board (public: R_OPTIONAL_AUTH,
 * so this handler resolves it) is looked up in the same round trip as the
 * page (lb_read's rider). Returns what lb_read does, or ST_REPLIED. */
static int read_page(req_t *r, long long cid, lb_query_t *q, lb_page_t *p)
{
    const char *token = q->kind == LB_PEOPLE ? req_bearer(r) : NULL;
    kv_batch_t b = { 0 };
    session_peek_t sp;
    /* r->auth is empty until session_peek_add (the router leaves it so) */
    if (!token || session_peek_add(r, &b, token, &sp) < 0)
        return lb_read(r, cid, q, NULL, p);
    q->me = sp.user_hint;
    return session_part(r, cid, q, &b, &sp, lb_read(r, cid, q, &b, p), p);
}

/* Reply with a page read (st: how the read went): {"entries":[...]} plus,
 * for people and units, "total" and, for people, "me". */
static int reply_read(req_t *r, const lb_query_t *q, int st, const lb_page_t *p)
{
    if (st == ST_REPLIED)
        return st;
    if (st == ST_NOT_FOUND)
        return reply_error(r, 404, "no_contest", "no such contest");
    if (st == ST_STORE)
        return unavailable(r);
    if (st != ST_OK)
        return st;
    char tail[128];
    if (q->kind == LB_REGIONS)
        snprintf(tail, sizeof tail, "}");
    else if (q->kind == LB_UNITS)
        snprintf(tail, sizeof tail, ",\"total\":%lld}", p->total);
    else if (p->me_rank > 0)
        snprintf(tail, sizeof tail, ",\"total\":%lld,\"me\":{\"rank\":%lld,\"score\":%lld}}", p->total,
                 p->me_rank, p->me_score);
    else
        snprintf(tail, sizeof tail, ",\"total\":%lld,\"me\":null}", p->total);
    return reply_conditional(r, p, tail);
}

/* A kept page's read across its round trip: what it needs afterwards,
 * then the page's text (server/defer.h copies the whole). */
typedef struct {
    long long cid;
    lb_query_t q;
    int peeked;            /* the token's session is asked for (sp) */
    session_peek_t sp;
    lb_kept_t kept;        /* its text follows this struct */
} kept_read_t;

/* After the round trip: the page's live part, the session, the reply. */
static int kept_read_end(req_t *r, kv_batch_t *b, void *state)
{
    kept_read_t *k = state;
    k->kept.text = (const char *)(k + 1);
    if (k->peeked)
        session_peek_again(r, &k->sp);
    lb_page_t p;
    status_t st = lb_read_kept_end(&k->q, b, &k->kept, &p);
    if (st == ST_NOT_FOUND)
        st = lb_read(r, k->cid, &k->q, NULL, &p);   /* the live version moved on: afresh */
    int rc = k->peeked ? session_part(r, k->cid, &k->q, b, &k->sp, st, &p) : (int)st;
    return reply_read(r, &k->q, rc, &p);
}

/* A kept page (the common case): its live reads, with the token's
 * session, go to Redis together with other requests' (server/defer.h),
 * or here when this request cannot wait for them. Returns 0 when the page
 * is not kept (read it with read_page), else 1 with *st what the handler
 * returns. */
static int read_kept(req_t *r, long long cid, const lb_query_t *q, int *st)
{
    kept_read_t k = { .cid = cid, .q = *q };
    kv_batch_t b = { 0 };
    const char *token = q->kind == LB_PEOPLE ? req_bearer(r) : NULL;
    if (token && session_peek_add(r, &b, token, &k.sp) == 0) {
        k.peeked = 1;
        k.q.me = k.sp.user_hint;
    }
    if (!lb_read_kept(r, cid, &k.q, &b, &k.kept))
        return 0;
    *st = ST_OK;
    size_t len = sizeof k + k.kept.len + 1;
    kept_read_t *s = arena_alloc(r->arena, len);
    memcpy(s, &k, sizeof k);
    memcpy(s + 1, k.kept.text, k.kept.len);
    if (req_defer_kv(r, &b, kept_read_end, s, len))
        return 1;
    (void)kv_batch_run(req_kv(r), r->arena, &b);    /* Redis down: every reply NULL, a 503 */
    *st = kept_read_end(r, &b, s);
    return 1;
}

static int reply_page(req_t *r, lb_query_t *q)
{
    long long cid;
    int st = board_contest(r, &cid);
    if (st != ST_OK)
        return st;
    if (read_kept(r, cid, q, &st))
        return st;
    lb_page_t p;
    return reply_read(r, q, read_page(r, cid, q, &p), &p);
}

int h_lb_individual(req_t *r)
{
    lb_query_t q = { .kind = LB_PEOPLE };
    if (rules_board_scope_parse(req_query(r, "scope"), 1, &q.level, q.arg) < 0)
        return reply_error(r, 400, "invalid_scope",
                           "scope is national, province:<code>, city:<code>, county:<code> or unit:<id>");
    if (paging(r, &q) < 0)
        return ST_REPLIED;
    return reply_page(r, &q);
}

int h_lb_units(req_t *r)
{
    lb_query_t q = { .kind = LB_UNITS };
    if (rules_board_scope_parse(req_query(r, "scope"), 0, &q.level, q.arg) < 0)
        return reply_error(r, 400, "invalid_scope", "scope is national, province:<code> or city:<code>");
    if ((q.by_rate = order_param(r)) < 0)
        return ST_REPLIED;
    if (paging(r, &q) < 0)
        return ST_REPLIED;
    return reply_page(r, &q);
}

int h_lb_regions(req_t *r)
{
    lb_query_t q = { .kind = LB_REGIONS };
    const char *lv = req_query(r, "level");
    q.level = !lv || !*lv || strcmp(lv, "province") == 0 ? 1
            : strcmp(lv, "city") == 0 ? 2 : strcmp(lv, "county") == 0 ? 3 : -1;
    if (q.level < 0)
        return reply_error(r, 400, "invalid_level", "level is province, city or county");
    if ((q.by_rate = order_param(r)) < 0)
        return ST_REPLIED;
    const char *parent = req_query(r, "parent");
    if (parent && *parent) {
        char code[7] = "";
        q.plevel = rules_region_code_parse(parent, code);
        if (q.plevel < 1 || q.plevel >= q.level)
            return reply_error(r, 400, "invalid_scope",
                               "parent must be the code of a province or city above the level");
        memcpy(q.arg, code, sizeof code);
    }
    return reply_page(r, &q);
}

/* POST /admin/boards/rebuild: answered 202; any server's background thread
 * picks the request up within a second (a million people take seconds to
 * rebuild, too long to hold a request). */
int h_lb_rebuild(req_t *r)
{
    json_t *j = NULL;
    if (r->body_len && !(j = req_json(r)))
        return ST_REPLIED;
    contest_t c;
    int st = contest_from_request(r, j, &c);
    if (st != ST_OK)
        return st;
    if (lb_request_rebuild(req_kv(r), c.id) < 0)
        return reply_error(r, 503, "boards_unavailable", "the boards are unavailable; try again shortly");
    return reply_json(r, 202, json_pack("{s:I,s:s}", "contest_id", (json_int_t)c.id, "state", "queued"));
}

int h_lb_rebuild_status(req_t *r)
{
    contest_t c;
    int st = contest_from_request(r, NULL, &c);
    if (st != ST_OK)
        return st;
    const char *v[LB_PROGRESS_NFIELDS];
    int queued;
    if (lb_rebuild_progress(req_kv(r), r->arena, c.id, v, &queued) != ST_OK)
        return reply_error(r, 503, "boards_unavailable", "the boards are unavailable; try again shortly");
    json_t *o = json_pack("{s:I}", "contest_id", (json_int_t)c.id);
    for (int i = 0; i < LB_PROGRESS_NFIELDS; i++) {
        int text = i == 0 || i == 4 || i == 5;   /* state, started_at, finished_at */
        json_object_set_new(o, lb_progress_fields[i], !v[i] ? json_null()
                                                    : text ? json_string(v[i]) : json_integer(atoll(v[i])));
    }
    json_object_set_new(o, "queued", json_boolean(queued));
    return reply_json(r, 200, o);
}
