/* eligibility.c: see eligibility.h. */
#include "rules/eligibility.h"

#include <string.h>

int rules_audience_admits(const char *audience, const char *kind)
{
    if (!kind)
        return 0;
    if (audience && strcmp(audience, "all") == 0)
        return strcmp(kind, "staff") == 0 || strcmp(kind, "five_into") == 0;
    return strcmp(kind, "staff") == 0;   /* "staff", and anything unknown */
}

rules_elig_t rules_may_answer(const char *audience, const char *kind, long long profile_created_at,
                              long long registration_deadline)
{
    if (!rules_audience_admits(audience, kind))
        return ELIG_NOT_IN_AUDIENCE;
    if (profile_created_at > registration_deadline)
        return ELIG_TOO_LATE;
    return ELIG_OK;
}

int rules_review_open(const char *review_policy, long long ends_at, long long now)
{
    if (review_policy && strcmp(review_policy, "after_submit") == 0)
        return 1;
    return now > ends_at;   /* "after_end", and anything unknown */
}
