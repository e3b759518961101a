/* credit_code.c: see credit_code.h. */
#include "rules/credit_code.h"

#include <string.h>

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";   /* 31 */
static const unsigned char weights[17] = {
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

static int char_value(char c)
{
    const char *p = c ? strchr(charset, c) : NULL;
    return p ? (int)(p - charset) : -1;
}

int rules_credit_code_normalize(const char *in, char out[19])
{
    if (out)
        out[0] = '\0';
    if (!in || !out)
        return -1;
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n > 0 && in[n - 1] == ' ')
        n--;
    if (n != 18)
        return -1;

    char buf[19];
    unsigned sum = 0;
    for (size_t i = 0; i < 18; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        int v = char_value(c);
        if (v < 0)
            return -1;
        if (i < 17)
            sum += (unsigned)v * weights[i];
        buf[i] = c;
    }
    buf[18] = '\0';
    if (buf[17] != charset[(31 - sum % 31) % 31])
        return -1;
    memcpy(out, buf, 19);
    return 0;
}
