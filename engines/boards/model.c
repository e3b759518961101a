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

#define PAGE 20000

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

static void code_copy(char dst[7], const char *src)
{
    snprintf(dst, 7, "%s", src ? src : "");
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

int lb_model_load(db_t *db, long long contest_id, lb_model_t *m, lb_progress_fn progress, void *ud)
{
    memset(m, 0, sizeof *m);
    m->contest_id = contest_id;
    arena_t a;
    arena_init(&a);
    int rc = -1;
    db_res_t *res = db_query(db, &a, "SELECT starts_at FROM contests WHERE id = ?", "i", contest_id);
    if (!res)
        goto out;
    if (!res->nrows) {
        rc = -2;
        goto out;
    }
    m->epoch = db_int(res, 0, 0);

    res = db_query(db, &a, "SELECT code, name FROM regions ORDER BY code", "");
    if (!res)
        goto out;
    m->r = xrealloc(NULL, sizeof *m->r * res->nrows);
    for (size_t i = 0; i < res->nrows; i++) {
        code_copy(m->r[i].code, db_get(res, i, 0));
        m->r[i].name = xstrdup(db_get(res, i, 1));
    }
    m->nr = res->nrows;
    arena_reset(&a);

    res = db_query(db, &a, "SELECT id, name, province_code, city_code, county_code, headcount"
                           " FROM units ORDER BY id", "");
    if (!res)
        goto out;
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
    }
    m->nu = res->nrows;
    arena_reset(&a);

    res = db_query(db, &a, "SELECT COUNT(*) FROM contest_scores WHERE contest_id = ?", "i", contest_id);
    if (!res)
        goto out;
    size_t total = (size_t)db_int(res, 0, 0), cap = total + 16;
    m->p = xrealloc(NULL, sizeof *m->p * cap);
    long long after = 0;
    for (;;) {
        arena_reset(&a);
        /* Pages by user id: each page is read committed on its own, which
         * is enough: the rebuild journals every apply from before its first
         * read (see rebuild.c), and applying is order-free. */
        res = db_query(db, &a,
                       "SELECT s.user_id, s.score, s.reached_at, p.province_code, p.city_code,"
                       " p.county_code, p.board_unit_id, p.kind, p.real_name"
                       " FROM contest_scores s LEFT JOIN profiles p ON p.user_id = s.user_id"
                       " WHERE s.contest_id = ? AND s.user_id > ? ORDER BY s.user_id LIMIT ?",
                       "iii", contest_id, after, (long long)PAGE);
        if (!res)
            goto out;
        for (size_t i = 0; i < res->nrows; i++) {
            if (m->np == cap) {
                cap = cap * 2;
                m->p = xrealloc(m->p, sizeof *m->p * cap);
            }
            lb_person_t *p = &m->p[m->np++];
            p->uid = db_int(res, i, 0);
            long long score = db_int(res, i, 1);
            p->key = rules_rank_key(score, db_int(res, i, 2), m->epoch);
            code_copy(p->pp, db_get(res, i, 3));
            code_copy(p->pc, db_get(res, i, 4));
            code_copy(p->px, db_get(res, i, 5));
            p->unit = db_get(res, i, 6) ? unit_find(m, db_int(res, i, 6)) : -1;
            const char *kind = db_get(res, i, 7);
            p->staff = kind && strcmp(kind, "staff") == 0;
            rules_mask_name(db_get(res, i, 8), p->masked, sizeof p->masked);
            if (p->unit >= 0) {
                /* the score the board shows: the key's, as the script sums */
                lb_unit_t *u = &m->u[p->unit];
                u->total += rules_rank_score(p->key);
                u->parts++;
                u->staff += p->staff;
            }
        }
        if (progress)
            progress(ud, "loading", m->np, total > m->np ? total : m->np);
        if (res->nrows < PAGE)
            break;
        after = db_int(res, res->nrows - 1, 0);
    }
    rc = 0;
out:
    arena_free(&a);
    if (rc < 0)
        lb_model_free(m);
    return rc;
}

/* ---- emitting ---- */

typedef struct {
    const char *group;     /* "" = the one board of its kind */
    const char *member;
    double score;
} zitem_t;

static int zitem_cmp(const void *x, const void *y)
{
    const zitem_t *a = x, *b = y;
    int c = strcmp(a->group, b->group);
    return c ? c : strcmp(a->member, b->member);
}

/* Sort items by group and hand each group to the sink as the board
 * prefix + kind + group. Drops repeats of a member within a group. */
static int emit_groups(lb_sink_t *s, const char *prefix, const char *kind, zitem_t *it, size_t n)
{
    qsort(it, n, sizeof *it, zitem_cmp);
    const char **mem = xrealloc(NULL, sizeof(char *) * (n + 1));
    double *sc = xrealloc(NULL, sizeof(double) * (n + 1));
    char key[160];
    int rc = 0;
    for (size_t i = 0; i < n && rc >= 0;) {
        size_t j = i, k = 0;
        for (; j < n && strcmp(it[j].group, it[i].group) == 0; j++) {
            if (k && strcmp(mem[k - 1], it[j].member) == 0)
                continue;
            mem[k] = it[j].member;
            sc[k++] = it[j].score;
        }
        snprintf(key, sizeof key, "%s%s%s", prefix, kind, it[i].group);
        rc = s->zset(s, key, k, mem, sc);
        i = j;
    }
    free(mem);
    free(sc);
    return rc;
}

typedef struct {
    char code[7];
    long long total, parts;
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

int lb_model_emit(const lb_model_t *m, const char *prefix, lb_sink_t *s, lb_progress_fn progress, void *ud)
{
    int rc = 0;
    size_t np = m->np, step = 0, steps = 12;
    /* strings every board shares: user ids, unit ids */
    char (*uid)[21] = xrealloc(NULL, sizeof *uid * (np + 1));
    char (*unitid)[21] = xrealloc(NULL, sizeof *unitid * (m->nu + 1));
    for (size_t i = 0; i < np; i++)
        snprintf(uid[i], sizeof uid[i], "%lld", m->p[i].uid);
    for (size_t i = 0; i < m->nu; i++)
        snprintf(unitid[i], sizeof unitid[i], "%lld", m->u[i].id);
    zitem_t *it = xrealloc(NULL, sizeof *it * (np + m->nu * 3 + 1));
    char **vals = NULL;
    ragg_t *rg = NULL;

#define PROGRESS() do { if (progress) progress(ud, "writing", ++step, steps); } while (0)
    /* people: national, then by the person's province, city, county, unit */
    for (int dim = 0; dim < 5 && rc >= 0; dim++) {
        static const char *kinds[] = { "p:n", "p:p:", "p:c:", "p:x:", "p:u:" };
        size_t n = 0;
        for (size_t i = 0; i < np; i++) {
            const lb_person_t *p = &m->p[i];
            const char *g = dim == 0 ? "" : dim == 1 ? p->pp : dim == 2 ? p->pc : dim == 3 ? p->px
                          : p->unit >= 0 ? unitid[p->unit] : "";
            if (dim > 0 && !*g)
                continue;
            it[n++] = (zitem_t){ g, uid[i], p->key };
        }
        rc = emit_groups(s, prefix, kinds[dim], it, n);
        PROGRESS();
    }

    /* the name cache: "<unit id>\x1f<masked name>", all in one buffer */
    if (rc >= 0) {
        vals = xrealloc(NULL, sizeof(char *) * (np + 1));
        const char **fields = xrealloc(NULL, sizeof(char *) * (np + 1));
        size_t cap = 1;
        for (size_t i = 0; i < np; i++)
            cap += 22 + strlen(m->p[i].masked);
        char *pool = xrealloc(NULL, cap), *w = pool;
        for (size_t i = 0; i < np; i++) {
            const lb_person_t *p = &m->p[i];
            const char *u = p->unit >= 0 ? unitid[p->unit] : "0";
            vals[i] = w;
            w += snprintf(w, cap - (size_t)(w - pool), "%s\x1f%s", u, p->masked) + 1;
            fields[i] = uid[i];
        }
        char key[160];
        snprintf(key, sizeof key, "%snm", prefix);
        rc = s->hash(s, key, np, fields, (const char *const *)vals);
        free(pool);
        free(fields);
        PROGRESS();
    }

    /* units with at least one person on the boards */
    if (rc >= 0) {
        char key[160], num[4][24];
        for (size_t i = 0; i < m->nu && rc >= 0; i++) {
            const lb_unit_t *u = &m->u[i];
            if (!u->parts)
                continue;
            snprintf(num[0], 24, "%lld", u->total);
            snprintf(num[1], 24, "%lld", u->parts);
            snprintf(num[2], 24, "%lld", u->staff);
            snprintf(num[3], 24, "%lld", u->head);
            const char *f[] = { "n", "s", "p", "f", "h", "pp", "pc", "px" };
            const char *v[] = { u->name, num[0], num[1], num[2], num[3], u->pp, u->pc, u->px };
            snprintf(key, sizeof key, "%su:%s", prefix, unitid[i]);
            rc = s->hash(s, key, 8, f, v);
        }
        PROGRESS();
    }
    for (int order = 0; order < 2 && rc >= 0; order++) {
        static const char *kinds[2][3] = { { "us:n", "us:p:", "us:c:" }, { "ur:n", "ur:p:", "ur:c:" } };
        for (int dim = 0; dim < 3 && rc >= 0; dim++) {
            size_t n = 0;
            for (size_t i = 0; i < m->nu; i++) {
                const lb_unit_t *u = &m->u[i];
                const char *g = dim == 0 ? "" : dim == 1 ? u->pp : u->pc;
                if (!u->parts || (dim > 0 && !*g))
                    continue;
                double k = order == 0 ? rules_unit_score_key(u->total, u->id)
                                      : rules_unit_rate_key(u->staff, u->head, u->total);
                it[n++] = (zitem_t){ g, unitid[i], k };
            }
            rc = emit_groups(s, prefix, kinds[order][dim], it, n);
        }
        PROGRESS();
    }

    /* regions, by the unit's region: totals and participants per code */
    size_t nrg = 0;
    if (rc >= 0) {
        rg = xrealloc(NULL, sizeof *rg * (m->nu * 3 + 1));
        for (size_t i = 0; i < m->nu; i++) {
            const lb_unit_t *u = &m->u[i];
            if (!u->parts)
                continue;
            const char *codes[] = { u->pp, u->pc, u->px };
            for (int l = 0; l < 3; l++)
                if (*codes[l]) {
                    code_copy(rg[nrg].code, codes[l]);
                    rg[nrg].total = u->total;
                    rg[nrg++].parts = u->parts;
                }
        }
        qsort(rg, nrg, sizeof *rg, ragg_cmp);
        size_t k = 0;
        for (size_t i = 0; i < nrg; i++) {
            if (k && strcmp(rg[k - 1].code, rg[i].code) == 0) {
                rg[k - 1].total += rg[i].total;
                rg[k - 1].parts += rg[i].parts;
            } else {
                rg[k++] = rg[i];
            }
        }
        nrg = k;
        const char **f = xrealloc(NULL, sizeof(char *) * (2 * nrg + 1));
        char **v = xrealloc(NULL, sizeof(char *) * (2 * nrg + 1));
        for (size_t i = 0; i < nrg; i++) {
            char buf[32];
            snprintf(buf, sizeof buf, "%s:s", rg[i].code);
            f[2 * i] = xstrdup(buf);
            snprintf(buf, sizeof buf, "%s:p", rg[i].code);
            f[2 * i + 1] = xstrdup(buf);
            snprintf(buf, sizeof buf, "%lld", rg[i].total);
            v[2 * i] = xstrdup(buf);
            snprintf(buf, sizeof buf, "%lld", rg[i].parts);
            v[2 * i + 1] = xstrdup(buf);
        }
        char key[160];
        snprintf(key, sizeof key, "%srs", prefix);
        if (nrg)
            rc = s->hash(s, key, 2 * nrg, f, (const char *const *)v);
        for (size_t i = 0; i < 2 * nrg; i++) {
            free((char *)f[i]);
            free(v[i]);
        }
        free(f);
        free(v);
        PROGRESS();
    }
    if (rc >= 0) {
        /* region boards: (kind, group level, member level) as the script adds them */
        static const struct { const char *kind; int group, member; } rb[] = {
            { "r:p", -1, 0 }, { "r:c", -1, 1 }, { "r:c:", 0, 1 },
            { "r:x", -1, 2 }, { "r:x:", 1, 2 }, { "r:xp:", 0, 2 },
        };
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
                const ragg_t *ag = ragg_find(rg, nrg, mem);
                ri[n++] = (zitem_t){ g, mem, rules_region_key(ag ? ag->total : 0, atoll(mem)) };
            }
            rc = emit_groups(s, prefix, rb[b].kind, ri, n);
        }
        free(ri);
        PROGRESS();
    }
    if (rc >= 0 && m->nr) {
        const char **f = xrealloc(NULL, sizeof(char *) * m->nr);
        const char **v = xrealloc(NULL, sizeof(char *) * m->nr);
        for (size_t i = 0; i < m->nr; i++) {
            f[i] = m->r[i].code;
            v[i] = m->r[i].name;
        }
        char key[160];
        snprintf(key, sizeof key, "%srn", prefix);
        rc = s->hash(s, key, m->nr, f, v);
        free(f);
        free(v);
        PROGRESS();
    }
#undef PROGRESS
    free(rg);
    free(vals);
    free(it);
    free(uid);
    free(unitid);
    return rc;
}
