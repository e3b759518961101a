/* rank_key.c: see rank_key.h. */
#include "rules/rank_key.h"

#define TWO_25 ((double)(1LL << RULES_RANK_TIME_BITS))
#define TWO_53 9007199254740992.0

double rules_rank_key(long long score, long long reached_s, long long epoch_s)
{
    if (score < 0)
        score = 0;
    if (score > RULES_RANK_SCORE_MAX)
        score = RULES_RANK_SCORE_MAX;
    long long off;
    if (reached_s <= epoch_s) {
        off = 0;
    } else {
        /* the difference of two signed values that may overflow a long
         * long, but is positive, fits an unsigned one */
        unsigned long long d = (unsigned long long)reached_s - (unsigned long long)epoch_s;
        off = d > (unsigned long long)RULES_RANK_TIME_MAX ? RULES_RANK_TIME_MAX : (long long)d;
    }
    long long key = (score << RULES_RANK_TIME_BITS) + (RULES_RANK_TIME_MAX - off);
    return (double)key;                 /* < 2^53: exact */
}

static int key_ok(double key)
{
    return key >= 0 && key < TWO_53 && key == (double)(long long)key;
}

long long rules_rank_score(double key)
{
    if (!key_ok(key))
        return -1;
    return (long long)key >> RULES_RANK_TIME_BITS;
}

long long rules_rank_reached(double key, long long epoch_s)
{
    if (!key_ok(key))
        return -1;
    long long low = (long long)key & RULES_RANK_TIME_MAX;
    return epoch_s + (RULES_RANK_TIME_MAX - low);
}
