/* event_window.c: see event_window.h. */
#include "rules/event_window.h"

int rules_event_open_session(const rules_session_t *s, size_t n, long long now, long long grace_s)
{
    if (grace_s < 0)
        grace_s = 0;
    for (size_t i = 0; i < n; i++)
        if (now >= s[i].starts_at - grace_s && now <= s[i].ends_at + grace_s)
            return (int)i;
    return -1;
}

const char *rules_event_status(const rules_session_t *s, size_t n, long long now)
{
    if (!n || now > s[n - 1].ends_at)
        return "ended";
    if (now < s[0].starts_at)
        return "upcoming";
    for (size_t i = 0; i < n; i++)
        if (now >= s[i].starts_at && now <= s[i].ends_at)
            return "open";
    return "between";
}

int rules_sessions_valid(const rules_session_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i].starts_at >= s[i].ends_at)
            return -1;
        if (i && s[i].starts_at <= s[i - 1].ends_at)
            return -1;
    }
    return 0;
}
