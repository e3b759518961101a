/* rank_key.h: one Redis sorted-set score that orders by contest score and
 * breaks ties by who reached that score first.
 *
 *   key = score * 2^25 + (2^25 - 1 - clamp(reached_s - epoch_s, 0, 2^25 - 1))
 *
 * Higher key = better: a higher score always wins (the tie part is below
 * 2^25); with equal scores the earlier reached_s wins.  With score in
 * [0, 2^28) the key is an integer below 2^53, so a double (and Redis)
 * holds it exactly and equal inputs give equal keys.
 *
 * Bounds: epoch_s is the contest's fixed reference time (its start, say);
 * times are resolved to the second for 2^25 s ≈ 388 days after it, and
 * anything later ties with the last second (anything before the epoch
 * with the first).  Scores are clamped to [0, 2^28 - 1] = 268,435,455. */
#ifndef RULES_RANK_KEY_H
#define RULES_RANK_KEY_H

#define RULES_RANK_TIME_BITS 25
#define RULES_RANK_SCORE_MAX ((1LL << 28) - 1)
#define RULES_RANK_TIME_MAX ((1LL << RULES_RANK_TIME_BITS) - 1)

double rules_rank_key(long long score, long long reached_s, long long epoch_s);

/* The score a key holds, or -1 for a key no rules_rank_key call makes
 * (negative, NaN, 2^53 or more, or not an integer). */
long long rules_rank_score(double key);

/* When the score was reached (epoch_s + the stored offset), or -1 for a
 * key rules_rank_score rejects.  Exact for reached_s within the window. */
long long rules_rank_reached(double key, long long epoch_s);

#endif
