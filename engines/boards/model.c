/* model.c: the boards as MariaDB says they should be — read once by
 * the rebuild (which writes them to Redis) and by the check (which compares
 * them with Redis). The same aggregation as the apply script, done in C. */
#include "engines/boards/internal.h"
#include "rules/board_keys.h"
#include "rules/mask.h"
#include "rules/rank_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 20000     /* people between progress reports */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        abort();
    return d;
}

/* A region code, cut to 6 characters (by hand: three a person). */
static void code_copy(char dst[7], const char *src)
{
    size_t i = 0;
    for (; src && i < 6 && src[i]; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

static int unit_find(const lb_model_t *m, long long id)
{
    size_t lo = 0, hi = m->nu;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->u[mid].id == id)
            return (int)mid;
        if (m->u[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

void lb_model_free(lb_model_t *m)
{
    for (size_t i = 0; i < m->nu; i++)
        free(m->u[i].name);
    for (size_t i = 0; i < m->nr; i++)
        free(m->r[i].name);
    free(m->p);
    free(m->u);
    free(m->r);
    memset(m, 0, sizeof *m);
}

static int load_regions(db_t *db, arena_t *a, lb_model_t *m)
{
    db_res_t *res = db_query(db, a, "SELECT code, name FROM regions ORDER BY code", "");
    if (!res)
        return -1;
    m->r = xrealloc(NULL, sizeof *m->r * res->nrows);
    for (size_t i = 0; i < res->nrows; i++) {
        code_copy(m->r[i].code, db_get(res, i, 0));
        m->r[i].name = xstrdup(db_get(res, i, 1));
    }
    m->nr = res->nrows;
    return 0;
}

/* a disabled or merged unit is no unit on the boards (LB_ENTRY_SELECT) */
static int load_units(db_t *db, arena_t *a, lb_model_t *m)
{
    db_res_t *res = db_query(db, a, "SELECT id, IF(name_state = 'rejected', ?, name), province_code,"
                                    " city_code, county_code, headcount, verified FROM units"
                                    " WHERE disabled = 0 AND merged_into IS NULL ORDER BY id",
                             "s", LB_NAME_HIDDEN);
    if (!res)
        return -1;
    m->u = xrealloc(NULL, sizeof *m->u * res->nrows);
    for (size_t i = 0; i < res->nrows; i++) {
        lb_unit_t *u = &m->u[i];
        memset(u, 0, sizeof *u);
        u->id = db_int(res, i, 0);
        u->name = xstrdup(db_get(res, i, 1));
        code_copy(u->pp, db_get(res, i, 2));
        code_copy(u->pc, db_get(res, i, 3));
        code_copy(u->px, db_get(res, i, 4));
        u->head = db_int(res, i, 5);
        u->verified = db_int(res, i, 6) != 0;
    }
    m->nu = res->nrows;
    return 0;
}

/* One person from a row of the people query (user_id, score, reached_at,
 * province, city, county, board unit, kind, real name, name review), and
 * their part in their unit's totals. */
static void person_from_row(lb_model_t *m, lb_person_t *p, const char *const *c)
{
    p->uid = c[0] ? strtoll(c[0], NULL, 10) : 0;
    long long score = c[1] ? strtoll(c[1], NULL, 10) : 0;
    long long reached = c[2] ? strtoll(c[2], NULL, 10) : 0;
    p->key = rules_rank_key(score, reached, m->epoch);
    code_copy(p->pp, c[3]);
    code_copy(p->pc, c[4]);
    code_copy(p->px, c[5]);
    p->unit = c[6] ? unit_find(m, strtoll(c[6], NULL, 10)) : -1;
    p->staff = c[7] && strcmp(c[7], "staff") == 0;
    if (c[9] && strcmp(c[9], "rejected") == 0)
        snprintf(p->masked, sizeof p->masked, "%s", LB_NAME_HIDDEN);
    else
        rules_mask_name(c[8], p->masked, sizeof p->masked);
    if (p->unit >= 0) {
        /* the score the board shows: the key's, as the script sums */
        lb_unit_t *u = &m->u[p->unit];
        u->total += rules_rank_score(p->key);
        u->parts++;
        u->staff += p->staff;
    }
}

static lb_person_t *person_slot(lb_model_t *m, size_t *cap)
{
    if (m->np == *cap) {
        *cap = *cap * 2 + 16;
        m->p = xrealloc(m->p, sizeof *m->p * *cap);
    }
    return &m->p[m->np++];
}

typedef struct {
    lb_model_t *m;
    size_t cap, total;
    lb_progress_fn progress;
    void *ud;
    lb_person_fn each;
    void *each_ud;
    int stopped;
} people_reader_t;

static int person_row(void *ud, const char *const *cols, size_t ncols)
{
    people_reader_t *pr = ud;
    if (ncols < 10)
        return 1;
    if (pr->each) {
        lb_person_t p;
        person_from_row(pr->m, &p, cols);
        pr->m->np++;
        if (pr->each(pr->each_ud, pr->m, &p) < 0) {
            pr->stopped = 1;
            return 1;
        }
    } else {
        person_from_row(pr->m, person_slot(pr->m, &pr->cap), cols);
    }
    if (pr->progress && pr->m->np % PAGE == 0)
        pr->progress(pr->ud, "loading", pr->m->np, pr->total > pr->m->np ? pr->total : pr->m->np);
    return 0;
}

/* Everyone with a score, in one streamed query: the rows are turned into
 * people as MariaDB sends them, none is held as text. One statement is one
 * consistent read; the rebuild journals every apply from before it (see
 * rebuild.c), and applying is order-free. The scores' index gives the rows
 * in the order of the boards (score, then reached_at) with no sort, and
 * covers what it reads of contest_scores; the profiles are then looked up
 * in no order, which costs MariaDB more CPU than the primary key's order
 * (~1.5 s at 1 M people), but lets Redis, the rebuild's bottleneck on its
 * one core, insert each member next to the one before (measured: less in
 * all than reading by user id). A covering index of profiles (user_id,
 * then the columns read) was tried and is no cheaper: the join becomes a
 * ref look-up instead of eq_ref, and costs MariaDB as much CPU (see
 * docs/BOARDS.md). */
static int load_people(db_t *db, arena_t *a, lb_model_t *m, lb_progress_fn progress, void *ud,
                       lb_person_fn each, void *each_ud)
{
    db_res_t *res = db_query(db, a, "SELECT COUNT(*) FROM contest_scores WHERE contest_id = ?", "i",
                             m->contest_id);
    if (!res)
        return -1;
    people_reader_t pr = { .m = m, .total = (size_t)db_int(res, 0, 0), .progress = progress, .ud = ud,
                           .each = each, .each_ud = each_ud };
    m->streamed = each != NULL;
    if (!each) {
        pr.cap = pr.total + 16;
        m->p = xrealloc(NULL, sizeof *m->p * pr.cap);
    }
    long long n = db_stream(db, person_row, &pr,
                            "SELECT s.user_id, s.score, s.reached_at, p.province_code, p.city_code,"
                            " p.county_code, p.board_unit_id, p.kind, p.real_name, p.name_review"
                            " FROM contest_scores s FORCE INDEX (k_scores_rank)"
                            " LEFT JOIN profiles p ON p.user_id = s.user_id"
                            " WHERE s.contest_id = ? ORDER BY s.score, s.reached_at", "i", m->contest_id);
    if (n < 0 || pr.stopped || (size_t)n != m->np)
        return -1;
    if (progress)
        progress(ud, "loading", m->np, m->np);
    return 0;
}

int lb_model_load(db_t *db, long long contest_id, lb_model_t *m, lb_progress_fn progress, void *ud,
                  lb_person_fn each, void *each_ud)
{
    memset(m, 0, sizeof *m);
    m->contest_id = contest_id;
    arena_t a;
    arena_init(&a);
    int rc = -1;
    db_res_t *res = db_query(db, &a, "SELECT starts_at FROM contests WHERE id = ?", "i", contest_id);
    if (res && !res->nrows)
        rc = -2;
    if (res && res->nrows) {
        m->epoch = db_int(res, 0, 0);
        arena_reset(&a);
        if (load_regions(db, &a, m) == 0) {
            arena_reset(&a);
            if (load_units(db, &a, m) == 0)
                rc = load_people(db, &a, m, progress, ud, each, each_ud);
        }
    }
    arena_free(&a);
    if (rc < 0)
        lb_model_free(m);
    return rc;
}

/* ---- emitting ---- */

typedef struct {
    long long gid;         /* the group as a number: codes and ids are digits; 0 = the one board */
    double score;
    long long mid;         /* the member as a number (user id, unit id, region code) */
    const char *group;     /* "" = the one board of its kind */
    const char *member;
} zitem_t;

/* By group, then by score from the lowest: Redis then adds each member at
 * the end of the board's skip list, along a path it has just walked (in
 * cache), which makes a large board faster to write than in any other
 * order. Numbers only: a million items sort in a fraction of a second. */
static int zitem_cmp(const void *x, const void *y)
{
    const zitem_t *a = x, *b = y;
    if (a->gid != b->gid)
        return a->gid < b->gid ? -1 : 1;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return (a->mid > b->mid) - (a->mid < b->mid);
}

/* Sort items by group and score and hand each group to the sink as the
 * board prefix + kind + group. Drops repeats of a member within a group
 * (a region listed once per unit: same member, same score, side by side). */
static int emit_groups(lb_sink_t *s, const char *prefix, const char *kind, zitem_t *it, size_t n)
{
    qsort(it, n, sizeof *it, zitem_cmp);
    const char **mem = xrealloc(NULL, sizeof(char *) * (n + 1));
    double *sc = xrealloc(NULL, sizeof(double) * (n + 1));
    char key[160];
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0;) {
        size_t j = i, k = 0;
        for (; j < n && it[j].gid == it[i].gid; j++) {
            if (k && it[j - 1].mid == it[j].mid)
                continue;
            mem[k] = it[j].member;
            sc[k++] = it[j].score;
        }
        snprintf(key, sizeof key, "%s%s%s", prefix, kind, it[i].group);
        rc = s->zset(s, key, 1, k, mem, sc);
        i = j;
    }
    free(mem);
    free(sc);
    return rc;
}

typedef struct {
    char code[7];
    long long total, parts, staff;
} ragg_t;

static int ragg_cmp(const void *x, const void *y)
{
    return strcmp(((const ragg_t *)x)->code, ((const ragg_t *)y)->code);
}

static const ragg_t *ragg_find(const ragg_t *r, size_t n, const char *code)
{
    ragg_t k;
    code_copy(k.code, code);
    return bsearch(&k, r, n, sizeof *r, ragg_cmp);
}

/* What the emit phases share: the model, where the boards go, the id
 * strings every board uses, one item buffer, the region totals, progress. */
typedef struct {
    const lb_model_t *m;
    const char *prefix;
    lb_sink_t *s;
    char (*uid)[21], (*unitid)[21];
    zitem_t *it;
    ragg_t *rg;
    size_t nrg;
    lb_progress_fn progress;
    void *ud;
    size_t step;
} emit_t;

#define EMIT_STEPS 12

static void emit_progress(emit_t *e)
{
    if (e->progress)
        e->progress(e->ud, "writing", ++e->step, EMIT_STEPS);
}

/* people: national, then by the person's province, city, county, unit */
static int emit_people(emit_t *e)
{
    const char *const *kinds = rules_people_boards;
    int rc = 0;
    for (int dim = 0; dim < 5 && rc >= 0; dim++) {
        size_t n = 0;
        for (size_t i = 0; i < e->m->np; i++) {
            const lb_person_t *p = &e->m->p[i];
            const char *g = dim == 0 ? "" : dim == 1 ? p->pp : dim == 2 ? p->pc : dim == 3 ? p->px
                          : p->unit >= 0 ? e->unitid[p->unit] : "";
            if (dim > 0 && !*g)
                continue;
            long long gid = dim == 0 ? 0 : dim < 4 ? atoll(g) : p->unit + 1;
            e->it[n++] = (zitem_t){ gid, p->key, p->uid, g, e->uid[i] };
        }
        rc = emit_groups(e->s, e->prefix, kinds[dim], e->it, n);
        emit_progress(e);
    }
    return rc;
}

/* the name cache: "<unit id>\x1f<masked name>", all in one buffer */
static int emit_names(emit_t *e)
{
    size_t np = e->m->np;
    char **vals = xrealloc(NULL, sizeof(char *) * (np + 1));
    const char **fields = xrealloc(NULL, sizeof(char *) * (np + 1));
    size_t cap = 1;
    for (size_t i = 0; i < np; i++)
        cap += 22 + strlen(e->m->p[i].masked);
    char *pool = xrealloc(NULL, cap), *w = pool;
    for (size_t i = 0; i < np; i++) {
        const lb_person_t *p = &e->m->p[i];
        const char *u = p->unit >= 0 ? e->unitid[p->unit] : "0";
        vals[i] = w;
        w += snprintf(w, cap - (size_t)(w - pool), "%s\x1f%s", u, p->masked) + 1;
        fields[i] = e->uid[i];
    }
    char key[160];
    snprintf(key, sizeof key, "%snm", e->prefix);
    int rc = e->s->hash(e->s, key, np, fields, (const char *const *)vals);
    free(pool);
    free(fields);
    free(vals);
    emit_progress(e);
    return rc;
}

/* units with at least one person on the boards: their hashes */
static int emit_unit_hashes(emit_t *e)
{
    char key[160], num[4][24];
    int rc = 0;
    for (size_t i = 0; i < e->m->nu && rc >= 0; i++) {
        const lb_unit_t *u = &e->m->u[i];
        if (!u->parts)
            continue;
        snprintf(num[0], 24, "%lld", u->total);
        snprintf(num[1], 24, "%lld", u->parts);
        snprintf(num[2], 24, "%lld", u->staff);
        snprintf(num[3], 24, "%lld", u->head);
        const char *f[] = { "n", "s", "p", "f", "h", "pp", "pc", "px" };
        const char *v[] = { u->name, num[0], num[1], num[2], num[3], u->pp, u->pc, u->px };
        snprintf(key, sizeof key, "%su:%s", e->prefix, e->unitid[i]);
        rc = e->s->hash(e->s, key, 8, f, v);
    }
    emit_progress(e);
    return rc;
}

/* the unit boards, by score and by participation rate */
static int emit_unit_boards(emit_t *e)
{
    const char *const (*kinds)[3] = rules_unit_boards;
    int rc = 0;
    for (int order = 0; order < 2 && rc >= 0; order++) {
        for (int dim = 0; dim < 3 && rc >= 0; dim++) {
            size_t n = 0;
            for (size_t i = 0; i < e->m->nu; i++) {
                const lb_unit_t *u = &e->m->u[i];
                const char *g = dim == 0 ? "" : dim == 1 ? u->pp : u->pc;
                if (!u->parts || (dim > 0 && !*g) || (order == 1 && !u->verified))
                    continue;
                double k = order == 0 ? rules_unit_score_key(u->total, u->id)
                                      : rules_unit_rate_key(u->staff, u->head, u->total);
                e->it[n++] = (zitem_t){ atoll(g), k, u->id, g, e->unitid[i] };
            }
            rc = emit_groups(e->s, e->prefix, kinds[order][dim], e->it, n);
        }
        emit_progress(e);
    }
    return rc;
}

/* Totals and participants per region code, from the units' regions, into
 * e->rg (sorted by code, one entry a code). */
static void sum_regions(emit_t *e)
{
    const lb_model_t *m = e->m;
    ragg_t *rg = xrealloc(NULL, sizeof *rg * (m->nu * 3 + 1));
    size_t nrg = 0;
    for (size_t i = 0; i < m->nu; i++) {
        const lb_unit_t *u = &m->u[i];
        if (!u->parts)
            continue;
        const char *codes[] = { u->pp, u->pc, u->px };
        for (int l = 0; l < 3; l++)
            if (*codes[l]) {
                code_copy(rg[nrg].code, codes[l]);
                rg[nrg].total = u->total;
                rg[nrg].staff = u->verified ? u->staff : 0;   /* as apply.lua counts it */
                rg[nrg++].parts = u->parts;
            }
    }
    qsort(rg, nrg, sizeof *rg, ragg_cmp);
    size_t k = 0;
    for (size_t i = 0; i < nrg; i++) {
        if (k && strcmp(rg[k - 1].code, rg[i].code) == 0) {
            rg[k - 1].total += rg[i].total;
            rg[k - 1].parts += rg[i].parts;
            rg[k - 1].staff += rg[i].staff;
        } else {
            rg[k++] = rg[i];
        }
    }
    e->rg = rg;
    e->nrg = k;
}

/* regions, by the unit's region: the totals hash */
static int emit_region_totals(emit_t *e)
{
    sum_regions(e);
    size_t nrg = e->nrg;
    int rc = 0;
    /* per code: total (s), participants (p), staff who answered (f) */
    const char **f = xrealloc(NULL, sizeof(char *) * (3 * nrg + 1));
    char **v = xrealloc(NULL, sizeof(char *) * (3 * nrg + 1));
    for (size_t i = 0; i < nrg; i++) {
        static const char sfx[3] = { 's', 'p', 'f' };
        long long val[3] = { e->rg[i].total, e->rg[i].parts, e->rg[i].staff };
        for (int j = 0; j < 3; j++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%s:%c", e->rg[i].code, sfx[j]);
            f[3 * i + j] = xstrdup(buf);
            snprintf(buf, sizeof buf, "%lld", val[j]);
            v[3 * i + j] = xstrdup(buf);
        }
    }
    char key[160];
    snprintf(key, sizeof key, "%srs", e->prefix);
    if (nrg)
        rc = e->s->hash(e->s, key, 3 * nrg, f, (const char *const *)v);
    for (size_t i = 0; i < 3 * nrg; i++) {
        free((char *)f[i]);
        free(v[i]);
    }
    free(f);
    free(v);
    emit_progress(e);
    return rc;
}

/* region boards: (kind, group level, member level) as the script adds them */
static int emit_region_boards(emit_t *e)
{
    static const struct { int board, group, member; } rb[] = {
        { RB_PROVINCES, -1, 0 }, { RB_CITIES, -1, 1 }, { RB_CITIES_OF, 0, 1 },
        { RB_COUNTIES, -1, 2 }, { RB_COUNTIES_OF_CITY, 1, 2 }, { RB_COUNTIES_OF_PROVINCE, 0, 2 },
    };
    const lb_model_t *m = e->m;
    int rc = 0;
    zitem_t *ri = xrealloc(NULL, sizeof *ri * (m->nu + 1));
    for (size_t b = 0; b < sizeof rb / sizeof rb[0] && rc >= 0; b++) {
        size_t n = 0;
        for (size_t i = 0; i < m->nu; i++) {
            const lb_unit_t *u = &m->u[i];
            const char *codes[] = { u->pp, u->pc, u->px };
            const char *mem = codes[rb[b].member];
            const char *g = rb[b].group < 0 ? "" : codes[rb[b].group];
            if (!u->parts || !*mem || (rb[b].group >= 0 && !*g))
                continue;
            const ragg_t *ag = ragg_find(e->rg, e->nrg, mem);
            long long code = atoll(mem);
            ri[n++] = (zitem_t){ atoll(g), rules_region_key(ag ? ag->total : 0, code), code, g, mem };
        }
        rc = emit_groups(e->s, e->prefix, rules_region_boards[rb[b].board], ri, n);
    }
    free(ri);
    emit_progress(e);
    return rc;
}

/* the regions' names */
static int emit_region_names(emit_t *e)
{
    const lb_model_t *m = e->m;
    const char **f = xrealloc(NULL, sizeof(char *) * m->nr);
    const char **v = xrealloc(NULL, sizeof(char *) * m->nr);
    for (size_t i = 0; i < m->nr; i++) {
        f[i] = m->r[i].code;
        v[i] = m->r[i].name;
    }
    char key[160];
    snprintf(key, sizeof key, "%srn", e->prefix);
    int rc = e->s->hash(e->s, key, m->nr, f, v);
    free(f);
    free(v);
    emit_progress(e);
    return rc;
}

int lb_model_emit(const lb_model_t *m, const char *prefix, lb_sink_t *s, lb_progress_fn progress, void *ud)
{
    emit_t e = { .m = m, .prefix = prefix, .s = s, .progress = progress, .ud = ud };
    if (m->streamed)
        e.step = 6;   /* the people boards and the names went while reading */
    /* strings every board shares: user ids, unit ids */
    size_t np = m->streamed ? 0 : m->np;   /* people held */
    e.uid = xrealloc(NULL, sizeof *e.uid * (np + 1));
    e.unitid = xrealloc(NULL, sizeof *e.unitid * (m->nu + 1));
    for (size_t i = 0; i < np; i++)
        snprintf(e.uid[i], sizeof e.uid[i], "%lld", m->p[i].uid);
    for (size_t i = 0; i < m->nu; i++)
        snprintf(e.unitid[i], sizeof e.unitid[i], "%lld", m->u[i].id);
    e.it = xrealloc(NULL, sizeof *e.it * (np + m->nu * 3 + 1));
    int rc = m->streamed ? 0 : emit_people(&e);
    if (rc >= 0 && !m->streamed)
        rc = emit_names(&e);
    if (rc >= 0)
        rc = emit_unit_hashes(&e);
    if (rc >= 0)
        rc = emit_unit_boards(&e);
    if (rc >= 0)
        rc = emit_region_totals(&e);
    if (rc >= 0)
        rc = emit_region_boards(&e);
    if (rc >= 0 && m->nr)
        rc = emit_region_names(&e);
    free(e.rg);
    free(e.it);
    free(e.uid);
    free(e.unitid);
    return rc;
}
