/* read.c: the pages of the boards (GET /leaderboards/individual, /units
 * and /regions, answered by handlers/leaderboards.c) and one member's place.
 *
 * Each read is one round trip to Redis: the read script finds the live
 * version, reads the page, the total, the caller's own rank and the names
 * (masked names and unit names from the name cache the apply script and
 * the rebuild fill), so no SQL runs per row or, with contest_id given, per
 * request. While the boards cannot be read (Redis down, or missing after a
 * restart until the background has rebuilt them) lb_read returns ST_STORE
 * and the handler answers 503 boards_unavailable with Retry-After. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "server/clock.h"
#include "server/config.h"
#include "lib/fnv.h"
#include "lib/mono.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/board_keys.h"
#include "rules/rank_key.h"
#include "rules/region_code.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Why a read was refused, on the log at most once a second per process:
 * a refusal is a symptom (Redis down, a failover, boards missing) whose
 * cause an operator needs, but a flood of reads must not flood the log. */
static status_t refused(const char *why)
{
    static _Atomic int64_t next_us;
    int64_t now = mono_us(), due = atomic_load(&next_us);
    if (now >= due && atomic_compare_exchange_strong(&next_us, &due, now + 1000000))
        log_info("boards: a read was refused: %s", why);
    return ST_STORE;
}

/* Run the read script. Returns ST_OK with *out (an array whose first
 * element is the board's size), ST_NOT_FOUND for no such contest, or
 * ST_STORE when the boards cannot be read now. */
static status_t read_board(req_t *r, long long cid, const char *kind, const char *board,
                           long long offset, long long limit, const char *me, redisReply **out)
{
    const char *args[5] = { kind, board, arena_sprintf(r->arena, "%lld", offset),
                            arena_sprintf(r->arena, "%lld", limit), me };
    redisReply *rep = lb_eval(req_kv(r), r->arena, LB_SCRIPT_READ, cid, 5, args);
    if (!rep)
        return refused("Redis cannot be reached");
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 || rep->element[0]->type != REDIS_REPLY_INTEGER) {
        if (rep->type == REDIS_REPLY_ERROR)
            log_warn("boards: read script failed: %s", rep->str);
        return refused("the read script's answer was not a page");
    }
    if (rep->element[0]->integer < 0) {
        /* No live version: an unknown contest, or boards not built yet
         * (the background builds them within a second or so). */
        db_res_t *res = db_query(req_db(r), r->arena, "SELECT 1 FROM contests WHERE id = ?", "i", cid);
        if (!res)
            return refused("MariaDB could not say whether the contest exists");
        return res->nrows ? refused("the contest's boards have no live version") : ST_NOT_FOUND;
    }
    if (rep->elements < 4)
        return refused("the read script's answer was short");
    *out = rep;
    return ST_OK;
}

/* The page of a read reply (element 3): its fields, split at \x1f. */
static char **page_fields(arena_t *a, const redisReply *rep, size_t *n)
{
    *n = 0;
    if (rep->elements < 4 || rep->element[3]->type != REDIS_REPLY_STRING || !rep->element[3]->len)
        return NULL;
    char *p = arena_strndup(a, rep->element[3]->str, rep->element[3]->len);
    size_t cap = 1;
    for (const char *c = p; *c; c++)
        cap += *c == '\x1f';
    char **f = arena_alloc(a, sizeof(char *) * cap);
    for (;;) {
        f[(*n)++] = p;
        char *sep = strchr(p, '\x1f');
        if (!sep)
            break;
        *sep = 0;
        p = sep + 1;
    }
    return f;
}

static const char *str_of(const redisReply *e)
{
    return e && (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) ? e->str : "";
}

static long long int_of(const redisReply *e)
{
    if (!e)
        return 0;
    if (e->type == REDIS_REPLY_INTEGER)
        return e->integer;
    return e->type == REDIS_REPLY_STRING ? atoll(e->str) : 0;
}

/* The board a query reads ("p:n", "us:p:110000", "r:x:110100" ...). */
static const char *board_of(arena_t *a, const lb_query_t *q)
{
    if (q->kind == LB_PEOPLE)
        return arena_sprintf(a, "%s%s", rules_people_boards[q->level], q->arg);
    if (q->kind == LB_UNITS)
        return arena_sprintf(a, "%s%s", rules_unit_boards[q->by_rate][q->level], q->arg);
    const char *const *rb = rules_region_boards;
    if (q->level == 1)
        return rb[RB_PROVINCES];
    if (q->level == 2)
        return q->plevel ? arena_sprintf(a, "%s%s", rb[RB_CITIES_OF], q->arg) : rb[RB_CITIES];
    return q->plevel == 2 ? arena_sprintf(a, "%s%s", rb[RB_COUNTIES_OF_CITY], q->arg)
         : q->plevel == 1 ? arena_sprintf(a, "%s%s", rb[RB_COUNTIES_OF_PROVINCE], q->arg)
                          : rb[RB_COUNTIES];
}

/* A people page: 4 fields an entry (user id, key, masked name, unit name). */
static json_t *people_entries(char **f, size_t nf, long long offset)
{
    if (nf % 4)
        return NULL;
    json_t *entries = json_array();
    for (size_t i = 0, k = 0; i + 3 < nf; i += 4, k++) {
        double key = strtod(f[i + 1], NULL);
        json_array_append_new(entries, json_pack("{s:I,s:I,s:s,s:s,s:I}",
            "rank", (json_int_t)(offset + (long long)k + 1),
            "user_id", (json_int_t)atoll(f[i]),
            "name", f[i + 2],
            "unit_name", f[i + 3],
            "score", (json_int_t)rules_rank_score(key)));
    }
    return entries;
}

/* A units page: 6 fields an entry (id, name, total, participants, staff, headcount). */
static json_t *unit_entries(char **f, size_t nf, long long offset)
{
    if (nf % 6)
        return NULL;
    json_t *entries = json_array();
    for (size_t i = 0, k = 0; i + 5 < nf; i += 6, k++) {
        long long total = atoll(f[i + 2]), parts = atoll(f[i + 3]);
        long long staff = atoll(f[i + 4]), head = atoll(f[i + 5]);
        /* the rate the board is ordered by, shown to 4 decimals */
        double rate = round((double)rules_participation_ppm(staff, head) / 100.0) / 10000.0;
        json_array_append_new(entries, json_pack("{s:I,s:I,s:s,s:I,s:I,s:I,s:f,s:I}",
            "rank", (json_int_t)(offset + (long long)k + 1),
            "unit_id", (json_int_t)atoll(f[i]),
            "name", f[i + 1],
            "score", (json_int_t)total,
            "participants", (json_int_t)parts,
            "headcount", (json_int_t)head,
            "participation_rate", rate,
            "staff_participants", (json_int_t)staff));
    }
    return entries;
}

/* One row of a regions board, before it is ordered. */
typedef struct {
    const char *code, *name;
    long long total, parts, staff, head, ppm;
} region_row_t;

static int region_by_score(const void *x, const void *y)
{
    const region_row_t *a = x, *b = y;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* order=participation: the higher rate first, then the higher total, then the code */
static int region_by_rate(const void *x, const void *y)
{
    const region_row_t *a = x, *b = y;
    if (a->ppm != b->ppm)
        return a->ppm > b->ppm ? -1 : 1;
    return region_by_score(x, y);
}

/* The headcount of each region's verified units at a level (1..3), for the
 * participation rate (API.md: staff who answered in verified units ÷ their
 * headcount): units nobody answered for count too, so this is MariaDB's,
 * not the boards'. One grouped query per build of a regions page (a small
 * board, read far less often than the others). Returns the result (rows:
 * code, headcount) or NULL when MariaDB failed. */
static db_res_t *region_headcounts(req_t *r, int level)
{
    static const char *sql[4] = { NULL,
        "SELECT province_code, SUM(headcount) FROM units WHERE disabled = 0 AND merged_into IS NULL"
        " AND verified = 1 GROUP BY province_code",
        "SELECT city_code, SUM(headcount) FROM units WHERE disabled = 0 AND merged_into IS NULL"
        " AND verified = 1 AND city_code IS NOT NULL GROUP BY city_code",
        "SELECT county_code, SUM(headcount) FROM units WHERE disabled = 0 AND merged_into IS NULL"
        " AND verified = 1 AND county_code IS NOT NULL GROUP BY county_code" };
    return db_query(req_db(r), r->arena, sql[level], "");
}

/* A regions board, whole: 5 fields an entry (code, name, total,
 * participants, staff), ordered here by score or participation. */
static json_t *region_entries(req_t *r, const lb_query_t *q, char **f, size_t nf)
{
    if (nf % 5)
        return NULL;
    db_res_t *heads = region_headcounts(r, q->level);
    if (!heads)
        return NULL;
    size_t n = nf / 5;
    region_row_t *rows = arena_alloc(r->arena, sizeof *rows * (n + 1));
    for (size_t k = 0; k < n; k++) {
        region_row_t *w = &rows[k];
        *w = (region_row_t){ f[5 * k], f[5 * k + 1], atoll(f[5 * k + 2]), atoll(f[5 * k + 3]),
                             atoll(f[5 * k + 4]), 0, 0 };
        for (size_t i = 0; i < heads->nrows; i++)
            if (strcmp(db_get(heads, i, 0), w->code) == 0)
                w->head = db_int(heads, i, 1);
        w->ppm = rules_participation_ppm(w->staff, w->head);
    }
    qsort(rows, n, sizeof *rows, q->by_rate ? region_by_rate : region_by_score);
    json_t *entries = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(entries, json_pack("{s:I,s:s,s:s,s:I,s:I,s:f}",
            "rank", (json_int_t)(k + 1),
            "region_code", rows[k].code,
            "name", rows[k].name,
            "score", (json_int_t)rows[k].total,
            "participants", (json_int_t)rows[k].parts,
            /* shown to 4 decimals, as the units board shows it */
            "participation_rate", round((double)rows[k].ppm / 100.0) / 10000.0));
    return entries;
}

/* The page from the read script: the caller's place, the board's size and
 * the page, rendered; *version: the live version it was read from. */
static status_t read_fresh(req_t *r, long long cid, const lb_query_t *q, const char *board,
                           lb_page_t *out, long long *version)
{
    static const char kinds[] = { 'i', 'u', 'r' };
    char kind[2] = { kinds[q->kind], 0 };
    const char *me = q->me > 0 ? arena_sprintf(r->arena, "%lld", q->me) : "";
    int whole = q->kind == LB_REGIONS;
    redisReply *rep;
    status_t st = read_board(r, cid, kind, board, whole ? 0 : q->offset, whole ? -1 : q->limit, me, &rep);
    if (st != ST_OK)
        return st;
    size_t nf;
    char **f = page_fields(r->arena, rep, &nf);
    json_t *entries = q->kind == LB_PEOPLE ? people_entries(f, nf, q->offset)
                    : q->kind == LB_UNITS ? unit_entries(f, nf, q->offset)
                                          : region_entries(r, q, f, nf);
    if (!entries)
        return refused("the page's fields did not make whole entries, or the regions' headcounts were not read");
    out->entries = arena_json_text(r->arena, arena_json(r->arena, entries));
    if (!out->entries)
        return ST_ERR;
    out->entries_len = strlen(out->entries);
    out->entries_hash = fnv64(FNV64_INIT, out->entries, out->entries_len);
    out->total = int_of(rep->element[0]);
    long long mrank = int_of(rep->element[1]);
    if (*me && mrank >= 0) {
        out->me_rank = mrank + 1;
        out->me_score = rules_rank_score(strtod(str_of(rep->element[2]), NULL));
    }
    *version = rep->elements > 4 ? int_of(rep->element[4]) : 0;
    return ST_OK;
}

/* A command of two or three words, in the arena (a batch's argv outlives
 * the call that adds it). */
static const char **words(arena_t *a, const char *w0, const char *w1, const char *w2)
{
    const char **argv = arena_alloc(a, 3 * sizeof *argv);
    argv[0] = w0;
    argv[1] = w1;
    argv[2] = w2;
    return argv;
}

/* The kept page of q, if any: its key (NULL: not one to keep), and
 * whether it is held (*c filled in). */
static int kept_page(req_t *r, long long cid, const lb_query_t *q, const char *board, const char **key,
                     lb_cached_t *c, int64_t now)
{
    int64_t max_age = (int64_t)g_config.board_cache_ms * 1000;
    *key = NULL;
    /* the top pages people read; deeper pages are read as they are */
    if (max_age <= 0 || (q->kind != LB_REGIONS && q->offset + q->limit > 100))
        return 0;
    const char *k = arena_sprintf(r->arena, "%lld|%d|%s|%lld|%lld|%d", cid, q->kind, board, q->offset,
                                  q->limit, q->by_rate);
    int hit = lb_cache_get(r->arena, k, board, cid, now, max_age, c);
    if (hit >= 0)
        *key = k;
    return hit > 0;
}

/* Beside a kept page, what is always live, to go in one pipelined round
 * trip (with the caller's commands): the live version (the page is served
 * only while it is the one the page was read from), the board's size and
 * the caller's own place. 0, or -1 when b is too full. */
static int live_add(req_t *r, long long cid, const lb_query_t *q, const char *board, kv_batch_t *b,
                    lb_kept_t *k)
{
    char tag[32];
    lb_tag(cid, tag);
    const char *ver = arena_sprintf(r->arena, "%s:ver", tag);
    const char *key = arena_sprintf(r->arena, "%s:v%lld:%s", tag, k->version, board);
    const char *me = arena_sprintf(r->arena, "%lld", q->me);
    if (b->n + (q->me > 0 ? 4 : 2) > KV_BATCH_MAX)
        return -1;
    k->i_ver = kv_batch_add(b, 2, words(r->arena, "GET", ver, NULL));
    k->i_card = kv_batch_add(b, 2, words(r->arena, "ZCARD", key, NULL));
    k->i_rank = q->me > 0 ? kv_batch_add(b, 3, words(r->arena, "ZREVRANK", key, me)) : -1;
    k->i_score = q->me > 0 ? kv_batch_add(b, 3, words(r->arena, "ZSCORE", key, me)) : -1;
    return 0;
}

int lb_read_kept(req_t *r, long long cid, const lb_query_t *q, kv_batch_t *b, lb_kept_t *kept)
{
    const char *board = board_of(r->arena, q), *key;
    lb_cached_t c;
    if (!kept_page(r, cid, q, board, &key, &c, mono_us()))
        return 0;
    *kept = (lb_kept_t){ .version = c.version, .text = c.text, .len = c.len, .hash = c.hash };
    return live_add(r, cid, q, board, b, kept) == 0;
}

status_t lb_read_kept_end(const lb_query_t *q, const kv_batch_t *b, const lb_kept_t *k, lb_page_t *out)
{
    memset(out, 0, sizeof *out);
    const redisReply *v = b->rep[k->i_ver], *c = b->rep[k->i_card];
    if (!v || !c)
        return refused("Redis cannot be reached");
    if (v->type != REDIS_REPLY_STRING || atoll(v->str) != k->version)
        return ST_NOT_FOUND;
    if (c->type != REDIS_REPLY_INTEGER)
        return refused("a kept page's board size was not a number");
    out->entries = k->text;
    out->entries_len = k->len;
    out->entries_hash = k->hash;
    out->total = c->integer;
    const redisReply *rank = k->i_rank >= 0 ? b->rep[k->i_rank] : NULL;
    const redisReply *score = k->i_score >= 0 ? b->rep[k->i_score] : NULL;
    if (q->me > 0 && rank && score && rank->type == REDIS_REPLY_INTEGER && score->type == REDIS_REPLY_STRING) {
        out->me_rank = rank->integer + 1;
        out->me_score = rules_rank_score(strtod(score->str, NULL));
    }
    return ST_OK;
}

status_t lb_read(req_t *r, long long cid, const lb_query_t *q, kv_batch_t *rider, lb_page_t *out)
{
    memset(out, 0, sizeof *out);
    kv_batch_t own = { 0 };
    kv_batch_t *b = rider ? rider : &own;
    const char *board = board_of(r->arena, q), *key;
    lb_cached_t c;
    int64_t now = mono_us();
    if (kept_page(r, cid, q, board, &key, &c, now)) {
        lb_kept_t k = { .version = c.version, .text = c.text, .len = c.len, .hash = c.hash };
        if (live_add(r, cid, q, board, b, &k) < 0)
            return refused("the caller's batch left no room for the page's reads");
        if (kv_batch_run(req_kv(r), r->arena, b) < 0)
            return refused("Redis cannot be reached");
        status_t st = lb_read_kept_end(q, b, &k, out);
        if (st != ST_NOT_FOUND)
            return st;
        memset(out, 0, sizeof *out);   /* a new version: read it afresh */
        b = &own;                      /* the rider has run */
    }
    /* the page afresh: the rider's commands first, in a round trip of their own */
    if (b == rider && rider->n > 0)
        (void)kv_batch_run(req_kv(r), r->arena, rider);   /* Redis down: its replies stay NULL */
    long long version;
    status_t st = read_fresh(r, cid, q, board, out, &version);
    if (st == ST_OK && key && version > 0)
        lb_cache_put(key, c.ticket, version, out->entries, out->entries_len, out->entries_hash, now);
    return st;
}

/* One member's place on board: the reply, or NULL with *st = ST_NOT_FOUND
 * (not on the board) or ST_STORE (the boards cannot be read now). */
static redisReply *place(req_t *r, long long cid, const char *board, long long member, int *st)
{
    const char *args[5] = { "m", board, "0", "0", arena_sprintf(r->arena, "%lld", member) };
    redisReply *rep = lb_eval(req_kv(r), r->arena, LB_SCRIPT_READ, cid, 5, args);
    *st = ST_STORE;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 || rep->element[0]->integer < 0)
        return NULL;
    if (int_of(rep->element[1]) < 0) {
        *st = ST_NOT_FOUND;
        return NULL;
    }
    *st = ST_OK;
    return rep;
}

int lb_user_rank(req_t *r, long long contest_id, long long user_id, long long *rank, long long *score)
{
    int st;
    redisReply *rep = place(r, contest_id, rules_people_boards[0], user_id, &st);
    if (!rep || rep->elements < 3)
        return rep ? ST_STORE : st;
    *rank = int_of(rep->element[1]) + 1;
    *score = rules_rank_score(strtod(str_of(rep->element[2]), NULL));
    return ST_OK;
}

int lb_unit_place(req_t *r, long long contest_id, long long unit_id, lb_unit_place_t *out)
{
    int st;
    redisReply *rep = place(r, contest_id, rules_unit_boards[0][0], unit_id, &st);
    if (!rep || rep->elements < 7)
        return rep ? ST_STORE : st;
    out->rank = int_of(rep->element[1]) + 1;
    out->score = int_of(rep->element[3]);
    out->participants = int_of(rep->element[4]);
    out->staff_participants = int_of(rep->element[5]);
    out->headcount = int_of(rep->element[6]);
    return ST_OK;
}
