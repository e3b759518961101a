/* contest_cache.h: inside the quiz engine, contest rows kept for
 * contest_cache_ms in this process (contest_cache.c; the policy is in
 * contest.h). */
#ifndef ENGINES_QUIZ_CONTEST_CACHE_H
#define ENGINES_QUIZ_CONTEST_CACHE_H

#include <stdint.h>
#include "engines/quiz/contest.h"

/* The generation to put a row with: read before the row is read. */
uint64_t contest_cache_gen(void);

/* Contest id as kept: 1 with *out filled (its strings in r's arena), 0 on
 * a miss (absent, expired, older than a write of this process, caching
 * off). */
int contest_cache_get(req_t *r, long long id, contest_t *out);

/* Keep c, read at generation gen, for contest_cache_ms. */
void contest_cache_put(req_t *r, const contest_t *c, uint64_t gen);

#endif
