/* paper_draw.h: drawing a paper from a seed — a pure function of the seed,
 * the bank's active questions (at one bank version) and the contest's paper
 * spec, so the same three always give the same paper (ids, order, option
 * orders). The only randomness is the seed (crypto_random_bytes at start);
 * everything after it is HMAC-DRBG (mbedTLS, SHA-256) seeded with it.
 *
 * The paper: per spec entry, `count` distinct questions of its category
 * ("*": any category), never one question twice in a paper; shown grouped
 * by type (single, multiple, judge) as printed papers are, in a random
 * order within each group; each with its options in a random order (judge
 * questions keep 对, 错). */
#ifndef RULES_PAPER_DRAW_H
#define RULES_PAPER_DRAW_H

#include "rules/attempt.h"

#include <stddef.h>

#define PAPER_SEED_LEN 16
#define PAPER_MAX_QUESTIONS 500

typedef enum { PQ_SINGLE = 0, PQ_MULTIPLE = 1, PQ_JUDGE = 2 } paper_qtype_t;

/* One active question of the bank, as far as the draw needs it. */
typedef struct {
    long long id;
    const char *category;
    paper_qtype_t type;
    int noptions;           /* 2..6; judge questions 2 */
} draw_question_t;

/* One entry of the paper spec: count questions of category ("*" = any). */
typedef struct {
    const char *category;
    int count;
} draw_entry_t;

/* One question of the drawn paper, in the order shown. */
typedef struct {
    long long id;
    size_t bank_index;      /* index into the bank array given */
    char perm[ATTEMPT_MAX_OPTIONS + 1];
} drawn_question_t;

/* Draw into out (room for max_out). The result does not depend on the
 * order of bank[] (candidates are taken in id order). Returns the number of
 * questions, 0 when the bank cannot fill the spec (a category short of
 * questions), or -1 on bad input (counts < 0, more than max_out or
 * PAPER_MAX_QUESTIONS, a question with an impossible option count, ids
 * repeated in bank[]). */
int paper_draw(const unsigned char seed[PAPER_SEED_LEN], const draw_question_t *bank, size_t nbank,
               const draw_entry_t *spec, size_t nspec, drawn_question_t *out, size_t max_out);

/* The type named "single", "multiple", "judge"; -1 for anything else. */
int paper_qtype(const char *name);

#endif
