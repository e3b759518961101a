/* week.c: see week.h. */
#include "rules/week.h"
#include "rules/score.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400LL

rules_period_t rules_week_of(long long epoch_s)
{
    long long day = rules_shanghai_day(epoch_s);
    /* 1970-01-01 was a Thursday: day 0 is weekday 3 counting Monday as 0. */
    long long wd = ((day % 7) + 7 + 3) % 7;
    long long monday = day - wd;
    rules_period_t p = { rules_shanghai_day_start(monday), rules_shanghai_day_start(monday + 7) };
    return p;
}

/* "YYYY-MM-DD" (nothing after) to its Shanghai day number. */
static int parse_date(const char *s, long long *day)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    char iso[32];
    snprintf(iso, sizeof iso, "%sT00:00:00+08:00", s);
    long long t;
    if (iso8601_parse(iso, &t) < 0)
        return -1;
    *day = rules_shanghai_day(t);
    return 0;
}

int rules_week_from_date(const char *date, rules_period_t *out)
{
    long long day;
    if (parse_date(date, &day) < 0)
        return -1;
    rules_period_t p = rules_week_of(rules_shanghai_day_start(day));
    if (p.from != rules_shanghai_day_start(day))
        return -1;
    *out = p;
    return 0;
}

int rules_period_from_dates(const char *from, const char *to, int max_days, rules_period_t *out)
{
    long long a, b;
    if (parse_date(from, &a) < 0 || parse_date(to, &b) < 0 || b < a || b - a + 1 > max_days)
        return -1;
    out->from = rules_shanghai_day_start(a);
    out->to = rules_shanghai_day_start(b + 1);
    return 0;
}

rules_period_t rules_period_before(rules_period_t p)
{
    rules_period_t q = { p.from - (p.to - p.from), p.from };
    return q;
}
