/* eligibility.h: who may answer a contest, and when its answer key may
 * be shown (RULES.md; API.md "Rules the API enforces"). Pure functions.
 *
 *  - audience "all" admits staff and five-into members; "staff" admits
 *    staff only (the six-mechanisms quiz);
 *  - a person answers a contest only if their profile was made by that
 *    contest's registration_deadline (inclusive, as registration is);
 *  - review_policy "after_submit" shows answers and explanations with the
 *    submit; "after_end" only once the contest has closed (now > ends_at).
 * Unknown audience or policy strings are treated as the strictest value. */
#ifndef RULES_ELIGIBILITY_H
#define RULES_ELIGIBILITY_H

typedef enum {
    ELIG_OK = 0,
    ELIG_NOT_IN_AUDIENCE = 1,
    ELIG_TOO_LATE = 2,
} rules_elig_t;

/* kind: "staff" or "five_into". The audience is checked first: a
 * five-into member of a staff contest is not_in_audience, whenever they
 * registered. */
rules_elig_t rules_may_answer(const char *audience, const char *kind, long long profile_created_at,
                              long long registration_deadline);

/* 1 when a contest of this audience admits kind, else 0. */
int rules_audience_admits(const char *audience, const char *kind);

/* 1 when answers and explanations may be shown at now, else 0. */
int rules_review_open(const char *review_policy, long long ends_at, long long now);

#endif
