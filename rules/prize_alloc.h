/* prize_alloc.h: who wins what, from a contest's frozen candidate list and
 * its prize settings. Pure: the only randomness comes through pick().
 *
 * Candidates are real-name profiles with a contest score (the caller
 * selects them). Canonical order = the boards' order: score descending,
 * then reached_at ascending (earlier first), then user_id ascending.
 * phone_group: 0 = no verified phone; otherwise a number shared by exactly
 * the candidates whose verified phone is the same (1..n).
 *
 * Everywhere: a person wins at most once, and a phone group at most once
 * (the first of its members to win blocks the others). A winner without a
 * verified phone still wins (the organizer follows up).
 *
 * Ranked tiers and draws (settings without the full-marks rule):
 *   1. each tier in order takes the next not-yet-blocked candidates in
 *      canonical order until its count is filled or nobody is left;
 *   2. each draw in order: the pool is every candidate with score >
 *      min_score_exclusive not yet blocked, in canonical order; then, until
 *      the count is filled or the pool is empty: i = pick(pool size), the
 *      pool's i-th member wins, and it and every other member of its phone
 *      group leave the pool (the rest keep their order).
 * The full-marks rule (count N; full = the paper's full marks):
 *   1. F = candidates with score == full. If |F| > N: draw N from F (as a
 *      draw above). Otherwise every member of F wins, in canonical order
 *      (blocked ones skipped).
 *   2. With fill_by_rank, while places are left: take the next lower score
 *      group G (its not-yet-blocked members in canonical order); if |G| fits
 *      in the places left every member wins in order (skipping one blocked
 *      meanwhile by a phone sibling), else the places left are drawn from G.
 * Fewer candidates than prizes: everyone eligible wins; places stay empty. */
#ifndef RULES_PRIZE_ALLOC_H
#define RULES_PRIZE_ALLOC_H

#include <stddef.h>
#include "rules/prize_settings.h"

typedef struct {
    long long user_id;
    long long score;
    long long reached_at;
    size_t phone_group;
} prize_cand_t;

typedef struct {
    size_t cand;       /* index into the candidate array */
    int group;         /* prize group: tiers, then draws; 0 for the full-marks rule */
    int by_draw;       /* 1: chosen by pick(), 0: by rank */
} prize_award_t;

/* An unbiased index in [0, n) into *out; returns 0 or -1. */
typedef int (*prize_pick_fn)(void *ctx, size_t n, size_t *out);

/* Sort into canonical order. */
void rules_prize_sort(prize_cand_t *c, size_t n);
/* 1 when c[0..n) is in canonical order with distinct user ids and every
 * phone_group <= n, else 0. */
int rules_prize_canonical(const prize_cand_t *c, size_t n);

/* Total places of the settings (the most awards allocation can give). */
size_t rules_prize_places(const prize_settings_t *s);

/* Allocate. c must be canonical (rules_prize_canonical). out has room for
 * rules_prize_places(s) awards; they come in group order, each group in the
 * order of winning. Returns the number of awards (>= 0), or -1 when c is not
 * canonical, memory runs out, or pick fails. */
long rules_prize_allocate(const prize_settings_t *s, long long full_marks, const prize_cand_t *c, size_t n,
                          prize_pick_fn pick, void *ctx, prize_award_t *out);

#endif
