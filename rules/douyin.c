/* douyin.c: see douyin.h. */
#include "rules/douyin.h"

#include <stdio.h>
#include <string.h>

/* Count of leading characters of s in set, stopping at max + 1. */
static size_t span(const char *s, const char *set)
{
    return strspn(s, set);
}

static const char DIGITS[] = "0123456789";
static const char CODE[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
static const char QUERY[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%=&+";

/* After a video id: nothing, "/", or "?query" / "/?query". */
static int tail_ok(const char *p)
{
    if (*p == '/')
        p++;
    if (!*p)
        return 1;
    if (*p != '?')
        return 0;
    size_t n = strlen(p + 1);
    return n <= 200 && span(p + 1, QUERY) == n;
}

int rules_douyin_url(const char *url, char *out, size_t outsz)
{
    if (outsz)
        out[0] = '\0';
    if (!url || strlen(url) > DOUYIN_URL_MAX)
        return -1;
    static const char *const video_prefixes[] = { "https://www.douyin.com/video/",
                                                  "https://www.iesdouyin.com/share/video/", NULL };
    const char *share = "https://v.douyin.com/";
    size_t n;
    if (strncmp(url, share, strlen(share)) == 0) {
        const char *code = url + strlen(share);
        n = span(code, CODE);
        if (n < 5 || n > 16 || !(code[n] == '\0' || (code[n] == '/' && code[n + 1] == '\0')))
            return -1;
        return snprintf(out, outsz, "%s%.*s", share, (int)n, code) < (int)outsz ? 0 : -1;
    }
    for (int k = 0; video_prefixes[k]; k++) {
        size_t pl = strlen(video_prefixes[k]);
        if (strncmp(url, video_prefixes[k], pl) != 0)
            continue;
        const char *id = url + pl;
        n = span(id, DIGITS);
        if (n < 15 || n > 20 || !tail_ok(id + n))
            return -1;
        /* Both video forms name the same video by its id. */
        return snprintf(out, outsz, "https://www.douyin.com/video/%.*s", (int)n, id) < (int)outsz ? 0 : -1;
    }
    return -1;
}

int rules_video_mail_subject(const char *unit, const char *title, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "水利安全+%s+%s", unit ? unit : "", title ? title : "");
    return n >= 0 && (size_t)n < outsz ? 0 : -1;
}
