/* search_text.c: see search_text.h. */
#include "rules/search_text.h"

#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

/* Encodes cp (a BMP or supplementary code point) as UTF-8; returns bytes. */
static int put_utf8(uint32_t cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t fold_cp(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFF01 - 0x21;
    else if (cp == 0x3000)
        cp = ' ';
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

int rules_search_fold(const char *in, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return -1;
    out[0] = '\0';
    if (!in)
        return -1;
    size_t len = strlen(in), i = 0, o = 0;
    int count = 0, pending_space = 0;
    while (i < len) {
        uint32_t cp;
        int n = rules_utf8_decode(in + i, len - i, &cp);
        if (n < 0) {
            out[0] = '\0';
            return -1;
        }
        i += (size_t)n;
        cp = fold_cp(cp);
        if (cp == ' ') {
            pending_space = count > 0;
            continue;
        }
        char buf[5];
        int b = put_utf8(cp, buf);
        if (o + (size_t)pending_space + (size_t)b + 1 > outsz) {
            out[0] = '\0';
            return -1;
        }
        if (pending_space) {
            out[o++] = ' ';
            count++;
            pending_space = 0;
        }
        memcpy(out + o, buf, (size_t)b);
        o += (size_t)b;
        count++;
    }
    out[o] = '\0';
    return count;
}

int rules_search_grams(const char *folded, char grams[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE])
{
    if (!folded)
        return 0;
    size_t len = strlen(folded);
    if (!rules_utf8_valid(folded, len))
        return 0;
    /* Byte offsets of every code point, bounded: a keyword longer than
     * this is cut here (the substring test still uses all of it). */
    enum { MAXCP = 256 };
    size_t off[MAXCP + 1];
    size_t ncp = 0, i = 0;
    while (i < len && ncp < MAXCP) {
        off[ncp++] = i;
        int n = rules_utf8_decode(folded + i, len - i, NULL);
        i += (size_t)n;
    }
    off[ncp] = i;
    if (ncp < 2)
        return 0;
    size_t ngrams = ncp - 1, pick[RULES_SEARCH_GRAMS], npick = 0;
    if (ngrams <= RULES_SEARCH_GRAMS) {
        for (size_t k = 0; k < ngrams; k++)
            pick[npick++] = k;
    } else {
        pick[npick++] = 0;
        pick[npick++] = (ngrams - 1) / 3;
        pick[npick++] = 2 * (ngrams - 1) / 3;
        pick[npick++] = ngrams - 1;
    }
    int out = 0;
    for (size_t k = 0; k < npick; k++) {
        size_t a = off[pick[k]], b = off[pick[k] + 2];
        char g[RULES_GRAM_SIZE];
        memcpy(g, folded + a, b - a);
        g[b - a] = '\0';
        int dup = 0;
        for (int d = 0; d < out; d++)
            if (strcmp(grams[d], g) == 0)
                dup = 1;
        if (!dup)
            memcpy(grams[out++], g, b - a + 1);
    }
    return out;
}
