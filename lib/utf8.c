/* utf8.c: see utf8.h. */
#include "lib/utf8.h"

#include <string.h>

int rules_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    uint32_t dummy;
    if (!cp)
        cp = &dummy;
    *cp = 0xFFFD;
    if (!s || len == 0)
        return -1;
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {        /* C0, C1 would be overlong */
        n = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) { /* F5..FF would exceed U+10FFFF */
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return -1;                       /* continuation byte or invalid lead */
    }
    if (len < (size_t)n)
        return -1;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    *cp = v;
    return n;
}

int rules_utf8_valid(const char *s, size_t len)
{
    if (!s)
        return len == 0;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path */
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        int n = rules_utf8_decode(s + i, len - i, NULL);
        if (n < 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

size_t rules_utf8_count(const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s), i = 0, count = 0;
    while (i < len) {
        int n = rules_utf8_decode(s + i, len - i, NULL);
        i += n > 0 ? (size_t)n : 1;
        count++;
    }
    return count;
}

int rules_has_control(const char *s)
{
    if (!s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return 1;
        /* C1 controls are encoded C2 80 .. C2 9F */
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return 1;
    }
    return 0;
}
