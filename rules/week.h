/* week.h: report periods in Asia/Shanghai (UTC+8 all year since 1991, so a
 * fixed offset is exact; see score.h).
 *
 * A period is the half-open interval [from, to) of epoch seconds. */
#ifndef RULES_WEEK_H
#define RULES_WEEK_H

typedef struct {
    long long from, to;    /* [from, to) in epoch seconds */
} rules_period_t;

/* The Monday-to-Sunday week (Shanghai) holding epoch_s. */
rules_period_t rules_week_of(long long epoch_s);

/* The week starting on the Shanghai date "YYYY-MM-DD" when it is a
 * Monday. Returns 0, or -1 for a malformed date or one that is not a
 * Monday. */
int rules_week_from_date(const char *date, rules_period_t *out);

/* The dates "YYYY-MM-DD" to "YYYY-MM-DD" (both Shanghai, both included).
 * Returns 0, or -1 when malformed, to < from, or longer than max_days. */
int rules_period_from_dates(const char *from, const char *to, int max_days, rules_period_t *out);

/* The period of the same length just before p. */
rules_period_t rules_period_before(rules_period_t p);

#endif
