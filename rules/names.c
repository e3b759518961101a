/* names.c: see names.h. */
#include "rules/names.h"

#include <stdint.h>
#include <string.h>

#include "lib/utf8.h"

#define MIDDLE_DOT 0x00B7

static int is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x2A6DF);
}

static int is_ascii_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

int rules_real_name_valid(const char *s)
{
    if (!s)
        return 0;
    /* 20 code points of at most 4 bytes: anything longer is refused
     * before decoding it */
    size_t len = strnlen(s, 81);
    if (len > 80)
        return 0;
    size_t i = 0, count = 0;
    uint32_t prev = 0;
    while (i < len) {
        uint32_t cp;
        int n = rules_utf8_decode(s + i, len - i, &cp);
        if (n < 0)
            return 0;
        if (cp == MIDDLE_DOT) {
            if (count == 0 || prev == MIDDLE_DOT)
                return 0;
        } else if (!is_cjk(cp) && !is_ascii_letter(cp)) {
            return 0;
        }
        prev = cp;
        count++;
        i += (size_t)n;
    }
    return count >= 2 && count <= 20 && prev != MIDDLE_DOT;
}

static int is_trim_space(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x3000;
}

/* Characters no one types into a form on purpose, but that make text
 * display differently from what it is. */
static int is_forbidden(uint32_t cp)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
        return 1;                                   /* Cc */
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) ||
        cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB))
        return 1;                                   /* invisible format */
    if (cp == 0x2028 || cp == 0x2029)
        return 1;                                   /* line breaks */
    if (cp >= 0xE000 && cp <= 0xF8FF)
        return 1;                                   /* private use */
    if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE)
        return 1;                                   /* noncharacters */
    if (cp > 0xFFFF && !(cp >= 0x20000 && cp <= 0x2A6DF))
        return 1;                                   /* emoji etc. */
    return 0;
}

int rules_text_field(const char *s, size_t min_chars, size_t max_chars,
                     char *out, size_t outsz)
{
    if (out && outsz)
        out[0] = '\0';
    if (!s || !out)
        return -1;
    size_t len = strlen(s);
    if (!rules_utf8_valid(s, len))
        return -1;

    size_t i = 0, start = len, end = 0, count = 0;
    /* leading spaces */
    while (i < len) {
        uint32_t cp;
        int n = rules_utf8_decode(s + i, len - i, &cp);
        if (!is_trim_space(cp)) {
            start = i;
            break;
        }
        i += (size_t)n;
    }
    /* the rest: end is just past the last non-space code point; the
     * count includes inner spaces but not trailing ones */
    size_t pending = 0;
    for (i = start; i < len;) {
        uint32_t cp;
        int n = rules_utf8_decode(s + i, len - i, &cp);
        i += (size_t)n;
        if (is_trim_space(cp)) {
            pending++;
            continue;
        }
        if (is_forbidden(cp))
            return -1;
        count += pending + 1;
        pending = 0;
        end = i;
    }
    if (start >= len) {                  /* empty or all spaces */
        start = end = 0;
        count = 0;
    }
    if (count < min_chars || count > max_chars)
        return -1;
    /* the inner spaces counted above may include \t etc.: refuse them */
    for (size_t k = start; k < end; k++)
        if ((unsigned char)s[k] < 0x20)
            return -1;
    size_t n = end - start;
    if (n + 1 > outsz)
        return -1;
    memcpy(out, s + start, n);
    out[n] = '\0';
    return count > (size_t)INT32_MAX ? -1 : (int)count;
}
