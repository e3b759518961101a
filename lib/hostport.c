/* hostport.c: see hostport.h. */
#include "lib/hostport.h"

#include <string.h>

static int parse_one(const char *s, size_t n, char *host, size_t cap, int *port)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *colon = NULL;
    const char *h = s;
    size_t hn;
    if (n && *s == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close + 1 >= s + n || close[1] != ':')
            return -1;
        h = s + 1;
        hn = (size_t)(close - h);
        colon = close + 1;
    } else {
        for (size_t k = 0; k < n; k++)
            if (s[k] == ':') {
                if (colon)
                    return -1;   /* a bare IPv6 address: ambiguous without brackets */
                colon = s + k;
            }
        if (!colon)
            return -1;
        hn = (size_t)(colon - s);
    }
    if (hn == 0 || hn >= cap)
        return -1;
    const char *p = colon + 1, *end = s + n;
    if (p == end || end - p > 5)
        return -1;
    long v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    memcpy(host, h, hn);
    host[hn] = '\0';
    *port = (int)v;
    return 0;
}

int hostport_nth(const char *list, unsigned i, char *host, size_t cap, int *port)
{
    const char *s = list;
    for (unsigned k = 0;; k++) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        if (k == i) {
            /* an empty list, or nothing but spaces, has no entry */
            size_t blank = 0;
            while (blank < n && (s[blank] == ' ' || s[blank] == '\t'))
                blank++;
            if (blank == n && !comma && k == 0)
                return 1;
            return parse_one(s, n, host, cap, port);
        }
        if (!comma)
            return 1;
        s = comma + 1;
    }
}
