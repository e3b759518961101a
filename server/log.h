/* log.h: one line per event on the log file (stderr by default).
 *
 * Lines are "2026-06-11T06:00:00.123+08:00 LEVEL message". Never pass a
 * token, secret, session key, phone number or personal name: the log is
 * read by people who must not see them, and a test scans it for leaks. */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Open path for appending (NULL or "": stderr). Returns 0 or -1. */
int log_open(const char *path);
void log_set_level(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* On: INFO and DEBUG lines (the line per request) gather in memory and are
 * written 64 KiB at a time, once the first of them is 200 ms old, or at
 * log_flush() (the server calls it every 200 ms, for a quiet spell); a WARN
 * or ERROR line writes them and then itself at once. Turning it off writes
 * what is gathered. Off (the default, and for the command-line tools):
 * every line is written as it is logged. A crash loses at most the lines
 * gathered. */
void log_batch(int on);
void log_flush(void);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
