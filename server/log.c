/* log.c: thread-safe logging, whole lines only.
 *
 * A line is made in the caller's own buffer. While the server runs
 * (log_batch), INFO and DEBUG lines, one per request, are copied into one
 * shared batch under a mutex and written together: a write(2) per line,
 * from every worker thread into one file, cost each request a system call
 * and a wait on the file's lock. The batch is written when it is full, when
 * its first line is BATCH_MS old (at the next line, or at log_flush for a
 * quiet server), and before a WARN or ERROR line, which is written at once:
 * the order holds and trouble is never delayed. */
#include "server/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH_BYTES (64 * 1024)
#define BATCH_MS 200

static int log_fd = 2;
static int log_level = LOG_INFO;
static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static char batch[BATCH_BYTES];
static size_t batch_len;
static long long batch_first_ms;    /* when its first line was made */
static int batching;

int log_open(const char *path)
{
    if (!path || !*path) {
        log_fd = 2;
        return 0;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    log_fd = fd;
    return 0;
}

void log_set_level(int level) { log_level = level; }

static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(log_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;    /* a full disk: the lines are lost, the server goes on */
        p += w;
        n -= (size_t)w;
    }
}

/* batch_mu held; an empty batch writes nothing */
static void write_batch(void)
{
    write_all(batch, batch_len);
    batch_len = 0;
}

void log_batch(int on)
{
    pthread_mutex_lock(&batch_mu);
    write_batch();
    batching = on;
    pthread_mutex_unlock(&batch_mu);
}

void log_flush(void)
{
    pthread_mutex_lock(&batch_mu);
    write_batch();
    pthread_mutex_unlock(&batch_mu);
}

/* One whole line (it ends in '\n', at most 2048 bytes), made at now_ms. */
static void put_line(int level, const char *line, size_t len, long long now_ms)
{
    pthread_mutex_lock(&batch_mu);
    if (batching && level < LOG_WARN) {
        if (batch_len && (batch_len + len > sizeof batch || now_ms - batch_first_ms >= BATCH_MS))
            write_batch();
        if (!batch_len)
            batch_first_ms = now_ms;
        memcpy(batch + batch_len, line, len);
        batch_len += len;
    } else {
        write_batch();
        write_all(line, len);
    }
    pthread_mutex_unlock(&batch_mu);
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
    if (level < log_level)
        return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    /* Log times are wall-clock Shanghai time regardless of the settable
     * contest clock: operators correlate them with other systems. The
     * date and time of day are made once a second per thread. */
    static __thread time_t shown_sec = -1;
    static __thread char shown[64];
    if (tv.tv_sec != shown_sec) {
        time_t t = tv.tv_sec + 8 * 3600;
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(shown, sizeof shown, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        shown_sec = tv.tv_sec;
    }
    int n = snprintf(line, sizeof line, "%s.%03d+08:00 %s ", shown, (int)(tv.tv_usec / 1000),
                     names[level & 3]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + ((size_t)m < sizeof line - (size_t)n - 1 ? (size_t)m : sizeof line - (size_t)n - 2);
    /* One event, one line: fold any newline a caller let through. */
    for (size_t i = (size_t)n; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[len++] = '\n';
    put_line(level, line, len, (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
}
