/* event_window.h: when a check-in to an event (a lecture) is accepted.
 *
 * An event has one or more sessions [starts_at, ends_at]; a check-in is
 * accepted from grace_s before a session starts until grace_s after it
 * ends (people open the code a little early, or scan it as the speaker
 * closes). */
#ifndef RULES_EVENT_WINDOW_H
#define RULES_EVENT_WINDOW_H

#include <stddef.h>

typedef struct {
    long long starts_at, ends_at;
} rules_session_t;

/* Index of the session open at now (with grace), or -1 when none is. */
int rules_event_open_session(const rules_session_t *s, size_t n, long long now, long long grace_s);

/* "upcoming" before the first session (without grace), "ended" after the
 * last, else "open" while one runs and "between" in a gap. n == 0: "ended". */
const char *rules_event_status(const rules_session_t *s, size_t n, long long now);

/* 0 when sessions are each non-empty (starts < ends), in order and not
 * overlapping; -1 otherwise. */
int rules_sessions_valid(const rules_session_t *s, size_t n);

#endif
