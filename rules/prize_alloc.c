/* prize_alloc.c: see prize_alloc.h. */
#include "rules/prize_alloc.h"

#include <stdlib.h>
#include <string.h>

static int cmp_cand(const void *pa, const void *pb)
{
    const prize_cand_t *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->reached_at != b->reached_at)
        return a->reached_at < b->reached_at ? -1 : 1;
    return (a->user_id > b->user_id) - (a->user_id < b->user_id);
}

void rules_prize_sort(prize_cand_t *c, size_t n)
{
    if (n > 1)
        qsort(c, n, sizeof *c, cmp_cand);
}

int rules_prize_canonical(const prize_cand_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].phone_group > n)
            return 0;
        if (i && cmp_cand(&c[i - 1], &c[i]) >= 0)
            return 0;
    }
    return 1;
}

size_t rules_prize_places(const prize_settings_t *s)
{
    if (s->full_marks)
        return (size_t)s->fm.count;
    size_t n = 0;
    for (int i = 0; i < s->ntiers; i++)
        n += (size_t)s->tiers[i].count;
    for (int i = 0; i < s->ndraws; i++)
        n += (size_t)s->draws[i].count;
    return n;
}

/* State of one allocation: who won, which phone groups are used. */
typedef struct {
    const prize_cand_t *c;
    size_t n;
    unsigned char *won;        /* per candidate */
    unsigned char *phone_used; /* per phone group 0..n (0 never set) */
    size_t *pool;              /* scratch, n entries */
    prize_award_t *out;
    long nout;
    prize_pick_fn pick;
    void *ctx;
} alloc_t;

static int blocked(const alloc_t *a, size_t i)
{
    return a->won[i] || (a->c[i].phone_group && a->phone_used[a->c[i].phone_group]);
}

static void award(alloc_t *a, size_t i, int group, int by_draw)
{
    a->won[i] = 1;
    if (a->c[i].phone_group)
        a->phone_used[a->c[i].phone_group] = 1;
    a->out[a->nout++] = (prize_award_t){ .cand = i, .group = group, .by_draw = by_draw };
}

/* Draw up to want winners from pool[0..np) (canonical order). Returns the
 * number drawn, or -1 when pick fails. */
static long draw_from(alloc_t *a, size_t np, long want, int group)
{
    long got = 0;
    while (got < want && np > 0) {
        size_t k;
        if (a->pick(a->ctx, np, &k) < 0 || k >= np)
            return -1;
        award(a, a->pool[k], group, 1);
        got++;
        /* The winner and its phone siblings leave; the rest keep their order. */
        size_t w = 0;
        for (size_t r = 0; r < np; r++)
            if (!blocked(a, a->pool[r]))
                a->pool[w++] = a->pool[r];
        np = w;
    }
    return got;
}

/* Every not-blocked candidate in [from, to) into the pool (canonical order). */
static size_t pool_range(alloc_t *a, size_t from, size_t to)
{
    size_t np = 0;
    for (size_t i = from; i < to; i++)
        if (!blocked(a, i))
            a->pool[np++] = i;
    return np;
}

/* Score group [from, to): all win in order when they fit in want, else a
 * draw. Returns places taken, or -1. */
static long take_group(alloc_t *a, size_t from, size_t to, long want, int group)
{
    size_t np = pool_range(a, from, to);
    if ((long)np > want)
        return draw_from(a, np, want, group);
    long got = 0;
    for (size_t k = 0; k < np; k++)
        if (!blocked(a, a->pool[k])) {
            award(a, a->pool[k], group, 0);
            got++;
        }
    return got;
}

static int full_marks_rule(alloc_t *a, const prize_settings_t *s, long long full)
{
    long left = s->fm.count;
    size_t i = 0;
    while (i < a->n && a->c[i].score > full)   /* above full marks: not expected; ignored */
        i++;
    size_t j = i;
    while (j < a->n && a->c[j].score == full)
        j++;
    long got = take_group(a, i, j, left, 0);
    if (got < 0)
        return -1;
    left -= got;
    while (s->fm_fill_by_rank && left > 0 && j < a->n) {
        size_t k = j;
        while (k < a->n && a->c[k].score == a->c[j].score)
            k++;
        got = take_group(a, j, k, left, 0);
        if (got < 0)
            return -1;
        left -= got;
        j = k;
    }
    return 0;
}

static int tiers_and_draws(alloc_t *a, const prize_settings_t *s)
{
    size_t next = 0;
    for (int t = 0; t < s->ntiers; t++) {
        long left = s->tiers[t].count;
        for (; next < a->n && left > 0; next++)
            if (!blocked(a, next)) {
                award(a, next, t, 0);
                left--;
            }
    }
    for (int d = 0; d < s->ndraws; d++) {
        size_t np = 0;
        for (size_t i = 0; i < a->n; i++)
            if (a->c[i].score > s->draws[d].min_score_exclusive && !blocked(a, i))
                a->pool[np++] = i;
        if (draw_from(a, np, s->draws[d].count, s->ntiers + d) < 0)
            return -1;
    }
    return 0;
}

long rules_prize_allocate(const prize_settings_t *s, long long full_marks, const prize_cand_t *c, size_t n,
                          prize_pick_fn pick, void *ctx, prize_award_t *out)
{
    if (!rules_prize_canonical(c, n))
        return -1;
    alloc_t a = { .c = c, .n = n, .out = out, .pick = pick, .ctx = ctx };
    a.won = calloc(n + 1, 1);
    a.phone_used = calloc(n + 1, 1);
    a.pool = calloc(n + 1, sizeof *a.pool);
    long rc = -1;
    if (a.won && a.phone_used && a.pool)
        rc = (s->full_marks ? full_marks_rule(&a, s, full_marks) : tiers_and_draws(&a, s)) < 0 ? -1 : a.nout;
    free(a.won);
    free(a.phone_used);
    free(a.pool);
    return rc;
}
