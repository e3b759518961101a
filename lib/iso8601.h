/* iso8601.h: ISO 8601 instants as text, in and out. The local zone is
 * China's: UTC+8 without daylight saving since 1991 (a fixed offset is
 * exact for any date this system meets; no tz database is read). */
#ifndef LIB_ISO8601_H
#define LIB_ISO8601_H

/* Formats epoch_s as Shanghai local time with its offset:
 * "2024-06-11T06:00:00+08:00" (25 characters + NUL).  Returns 0, or -1
 * (out = "") when the year would fall outside 0000..9999 or out is NULL. */
int iso8601_format_shanghai(long long epoch_s, char out[32]);

/* Parses "YYYY-MM-DDTHH:MM:SS" followed by "Z", "+HH:MM", "-HH:MM" or
 * nothing (= Shanghai time, +08:00) into seconds since the epoch.  Also
 * accepted, because the dashboard's inputs and MariaDB produce them: a
 * space or 't' for 'T', 'z' for 'Z', missing seconds ("2024-06-11T06:00",
 * an HTML datetime-local value) and a fraction ".123" (dropped).  Fields
 * are range-checked (real calendar dates, hour <= 23, no leap second 60,
 * offset within ±23:59) and nothing may follow.  Returns 0, or -1 with
 * *epoch_s untouched. */
int iso8601_parse(const char *s, long long *epoch_s);

#endif
