/* org_name.c: see org_name.h. */
#include "rules/org_name.h"

#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

static int is_ideograph(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF) || cp == 0x3007;
}

static int is_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

static int is_digit(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

static int is_name_punct(uint32_t cp)
{
    static const uint32_t ok[] = {
        '(', ')', 0xFF08, 0xFF09, '[', ']', 0x3010, 0x3011, 0x300A, 0x300B, 0x3008, 0x3009,
        0x201C, 0x201D, 0x00B7, '-', 0xFF0D, 0x2014, 0x2013, 0x3001, '.', 0xFF0E, ',', 0xFF0C,
        '&', 0xFF06, '/', 0xFF0F,
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == cp)
            return 1;
    return 0;
}

int rules_org_name_valid(const char *s)
{
    if (!s)
        return 0;
    size_t len = strlen(s), i = 0;
    int words = 0;
    uint32_t prev = 0;
    while (i < len) {
        uint32_t cp;
        int n = rules_utf8_decode(s + i, len - i, &cp);
        if (n < 0)
            return 0;
        if (is_ideograph(cp) || is_letter(cp))
            words++;
        else if (cp == ' ') {
            if (prev == ' ' || i == 0)
                return 0;
        } else if (!is_digit(cp) && !is_name_punct(cp))
            return 0;
        prev = cp;
        i += (size_t)n;
    }
    return words > 0 && prev != ' ';
}

int rules_contact_phone_clean(const char *in, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return -1;
    out[0] = '\0';
    if (!in)
        return -1;
    size_t o = 0;
    int digits = 0;
    char prev = 0;
    for (size_t i = 0; in[i]; i++) {
        char c = in[i];
        if (c == '+') {
            if (i != 0)
                goto bad;
        } else if (c == '-' || c == ' ') {
            /* separators only between digits, one at a time */
            if (prev < '0' || prev > '9')
                goto bad;
            if (c == ' ') {
                prev = c;
                continue;
            }
        } else if (c >= '0' && c <= '9') {
            digits++;
        } else {
            goto bad;
        }
        if (o + 1 >= outsz)
            goto bad;
        out[o++] = c;
        prev = c;
    }
    if (digits < 5 || digits > 20 || prev < '0' || prev > '9')
        goto bad;
    out[o] = '\0';
    return digits;
bad:
    out[0] = '\0';
    return -1;
}
