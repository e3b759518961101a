/* read.c: GET /leaderboards/individual, /units and /regions.
 *
 * Each read is one round trip to Redis: the read script finds the live
 * version, reads the page, the total, the caller's own rank and the names
 * (masked names and unit names from the name cache the apply script and
 * the rebuild fill), so no SQL runs per row or, with contest_id given, per
 * request. While the boards cannot be read (Redis down, or missing after a
 * restart until the background has rebuilt them) the answer is 503
 * boards_unavailable with Retry-After. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "engines/quiz/contest.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/board_keys.h"
#include "rules/rank_key.h"
#include "rules/region_code.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
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
        return 0;
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
    return 0;
}

/* Run the read script. Returns the reply (an array whose first element is
 * the board's size), or NULL after replying 503/404. */
static redisReply *read_board(req_t *r, long long cid, const char *kind, const char *board,
                              long long offset, long long limit, const char *me)
{
    const char *args[5] = { kind, board, arena_sprintf(r->arena, "%lld", offset),
                            arena_sprintf(r->arena, "%lld", limit), me };
    redisReply *rep = lb_eval(req_kv(r), r->arena, LB_SCRIPT_READ, cid, 5, args);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
        rep->element[0]->type != REDIS_REPLY_INTEGER) {
        if (rep && rep->type == REDIS_REPLY_ERROR)
            log_warn("boards: read script failed: %s", rep->str);
        unavailable(r);
        return NULL;
    }
    if (rep->element[0]->integer < 0) {
        /* No live version: an unknown contest, or boards not built yet
         * (the background builds them within a second or so). */
        db_res_t *res = db_query(req_db(r), r->arena, "SELECT 1 FROM contests WHERE id = ?", "i", cid);
        if (res && !res->nrows)
            reply_error(r, 404, "no_contest", "no such contest");
        else
            unavailable(r);
        return NULL;
    }
    return rep;
}

/* The page of a read reply (element 3): its fields, split at \x1f. */
static char **page_fields(req_t *r, const redisReply *rep, size_t *n)
{
    *n = 0;
    if (rep->elements < 4 || rep->element[3]->type != REDIS_REPLY_STRING || !rep->element[3]->len)
        return NULL;
    char *p = arena_strndup(r->arena, rep->element[3]->str, rep->element[3]->len);
    size_t cap = 1;
    for (const char *c = p; *c; c++)
        cap += *c == '\x1f';
    char **f = arena_alloc(r->arena, sizeof(char *) * cap);
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

static int paging(req_t *r, long long *limit, long long *offset)
{
    if (req_query_int(r, "limit", 20, 1, 100, limit) < 0)
        return -1;
    if (req_query_int(r, "offset", 0, 0, 100000000, offset) < 0)
        return -1;
    return 0;
}

int h_lb_individual(req_t *r)
{
    long long cid, limit, offset;
    int level;
    char arg[24];
    if (rules_board_scope_parse(req_query(r, "scope"), 1, &level, arg) < 0)
        return reply_error(r, 400, "invalid_scope",
                           "scope is national, province:<code>, city:<code>, county:<code> or unit:<id>");
    if (paging(r, &limit, &offset) < 0)
        return ST_REPLIED;
    int st = board_contest(r, &cid);
    if (st != ST_OK)
        return st;
    const char *board = arena_sprintf(r->arena, "%s%s", rules_people_boards[level], arg);
    const char *me = r->auth.user_id > 0 ? arena_sprintf(r->arena, "%lld", r->auth.user_id) : "";
    redisReply *rep = read_board(r, cid, "i", board, offset, limit, me);
    if (!rep)
        return 0;
    size_t nf;
    char **f = page_fields(r, rep, &nf);
    if (rep->elements != 4 || nf % 4)
        return unavailable(r);
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
    json_t *mej = json_null();
    long long mrank = int_of(rep->element[1]);
    if (mrank >= 0)
        mej = json_pack("{s:I,s:I}", "rank", (json_int_t)(mrank + 1), "score",
                        (json_int_t)rules_rank_score(strtod(str_of(rep->element[2]), NULL)));
    return reply_json(r, 200, json_pack("{s:o,s:I,s:o}", "entries", entries,
                                        "total", (json_int_t)int_of(rep->element[0]), "me", mej));
}

int h_lb_units(req_t *r)
{
    long long cid, limit, offset;
    int level;
    char arg[24];
    if (rules_board_scope_parse(req_query(r, "scope"), 0, &level, arg) < 0)
        return reply_error(r, 400, "invalid_scope", "scope is national, province:<code> or city:<code>");
    const char *order = req_query(r, "order");
    int by_rate = 0;
    if (order && *order && strcmp(order, "score") != 0) {
        if (strcmp(order, "participation") != 0)
            return reply_error(r, 400, "invalid_order", "order is score or participation");
        by_rate = 1;
    }
    if (paging(r, &limit, &offset) < 0)
        return ST_REPLIED;
    int st = board_contest(r, &cid);
    if (st != ST_OK)
        return st;
    const char *board = arena_sprintf(r->arena, "%s%s", rules_unit_boards[by_rate][level], arg);
    redisReply *rep = read_board(r, cid, "u", board, offset, limit, "");
    if (!rep)
        return 0;
    size_t nf;
    char **f = page_fields(r, rep, &nf);
    if (rep->elements != 4 || nf % 6)
        return unavailable(r);
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
    return reply_json(r, 200, json_pack("{s:o,s:I}", "entries", entries,
                                        "total", (json_int_t)int_of(rep->element[0])));
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
 * not the boards'. One grouped query per read of a regions board (a small
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

int h_lb_regions(req_t *r)
{
    long long cid;
    const char *lv = req_query(r, "level");
    int level = !lv || !*lv || strcmp(lv, "province") == 0 ? 1
              : strcmp(lv, "city") == 0 ? 2 : strcmp(lv, "county") == 0 ? 3 : -1;
    if (level < 0)
        return reply_error(r, 400, "invalid_level", "level is province, city or county");
    const char *order = req_query(r, "order");
    int by_rate = 0;
    if (order && *order && strcmp(order, "score") != 0) {
        if (strcmp(order, "participation") != 0)
            return reply_error(r, 400, "invalid_order", "order is score or participation");
        by_rate = 1;
    }
    const char *parent = req_query(r, "parent");
    char code[7] = "";
    int plevel = 0;
    if (parent && *parent) {
        plevel = rules_region_code_parse(parent, code);
        if (plevel < 1 || plevel >= level)
            return reply_error(r, 400, "invalid_scope",
                               "parent must be the code of a province or city above the level");
    }
    int st = board_contest(r, &cid);
    if (st != ST_OK)
        return st;
    const char *const *rb = rules_region_boards;
    const char *board = level == 1 ? rb[RB_PROVINCES]
                      : level == 2 ? (plevel ? arena_sprintf(r->arena, "%s%s", rb[RB_CITIES_OF], code) : rb[RB_CITIES])
                      : plevel == 2 ? arena_sprintf(r->arena, "%s%s", rb[RB_COUNTIES_OF_CITY], code)
                      : plevel == 1 ? arena_sprintf(r->arena, "%s%s", rb[RB_COUNTIES_OF_PROVINCE], code)
                                    : rb[RB_COUNTIES];
    redisReply *rep = read_board(r, cid, "r", board, 0, -1, "");
    if (!rep)
        return 0;
    size_t nf;
    char **f = page_fields(r, rep, &nf);
    if (rep->elements != 4 || nf % 5)
        return unavailable(r);
    db_res_t *heads = region_headcounts(r, level);
    if (!heads)
        return ST_STORE;
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
    qsort(rows, n, sizeof *rows, by_rate ? region_by_rate : region_by_score);
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
    return reply_json(r, 200, json_pack("{s:o}", "entries", entries));
}

/* One member's place (the read script's kind "m"). Returns the reply with
 * element[1] >= 0, NULL with *rc 1 (not on the board) or -1 (unavailable). */
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
