/* console_code.c: see console_code.h. */
#include "rules/console_code.h"

#include <string.h>

void rules_console_code_make(const unsigned char rnd[5], char out[CONSOLE_CODE_LEN + 1])
{
    static const char alpha[] = CONSOLE_CODE_ALPHABET;
    unsigned long long bits = 0;
    for (int i = 0; i < 5; i++)
        bits = bits << 8 | rnd[i];
    for (int i = CONSOLE_CODE_LEN - 1; i >= 0; i--) {
        out[i] = alpha[bits & 31];
        bits >>= 5;
    }
    out[CONSOLE_CODE_LEN] = '\0';
}

int rules_console_code_normalize(const char *in, char out[CONSOLE_CODE_LEN + 1])
{
    size_t n = 0;
    out[0] = '\0';
    if (!in)
        return -1;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c == '\0' || !strchr(CONSOLE_CODE_ALPHABET, c) || n == CONSOLE_CODE_LEN) {
            out[0] = '\0';
            return -1;
        }
        out[n++] = c;
    }
    if (n != CONSOLE_CODE_LEN) {
        out[0] = '\0';
        return -1;
    }
    out[n] = '\0';
    return 0;
}
