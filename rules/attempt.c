/* attempt.c: see attempt.h. */
#include "rules/attempt.h"

#include <string.h>

int attempt_shuffle(int noptions, int keep_order, const uint32_t *rnd, char perm[ATTEMPT_MAX_OPTIONS + 1])
{
    perm[0] = '\0';
    if (noptions < 1 || noptions > ATTEMPT_MAX_OPTIONS || (!keep_order && !rnd))
        return -1;
    for (int i = 0; i < noptions; i++)
        perm[i] = (char)('A' + i);
    perm[noptions] = '\0';
    if (keep_order)
        return 0;
    /* Fisher-Yates from the end; the modulo bias of a 32-bit word over at
     * most 6 choices is below 2^-29, far under anything a person notices. */
    for (int i = noptions - 1; i > 0; i--) {
        int j = (int)(rnd[i] % (uint32_t)(i + 1));
        char t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return 0;
}

int attempt_perm_valid(const char *perm)
{
    if (!perm)
        return 0;
    size_t n = strlen(perm);
    if (n < 2 || n > ATTEMPT_MAX_OPTIONS)
        return 0;
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        int k = perm[i] - 'A';
        if (k < 0 || (size_t)k >= n || (seen & (1u << k)))
            return 0;
        seen |= 1u << k;
    }
    return 1;
}

/* Letters of a bit set (bit k = letter 'A' + k), in order. */
static void set_letters(unsigned set, char out[ATTEMPT_MAX_OPTIONS + 1])
{
    size_t o = 0;
    for (int k = 0; k < ATTEMPT_MAX_OPTIONS; k++)
        if (set & (1u << k))
            out[o++] = (char)('A' + k);
    out[o] = '\0';
}

int attempt_choice_to_bank(const char *perm, int multiple, const char *const *letters, size_t n,
                           char out[ATTEMPT_MAX_OPTIONS + 1], const char **why)
{
    out[0] = '\0';
    const char *dummy;
    if (!why)
        why = &dummy;
    if (!attempt_perm_valid(perm)) {
        *why = "the question has no valid options";
        return -1;
    }
    size_t shown = strlen(perm);
    if (n > shown) {
        *why = "more letters than the question has options";
        return -1;
    }
    if (!multiple && n > 1) {
        *why = "this question takes one option";
        return -1;
    }
    unsigned seen = 0, bank = 0;
    for (size_t i = 0; i < n; i++) {
        const char *l = letters[i];
        if (!l || l[0] < 'A' || l[0] > 'Z' || l[1] != '\0') {
            *why = "each choice must be one option letter";
            return -1;
        }
        size_t k = (size_t)(l[0] - 'A');
        if (k >= shown) {
            *why = "no such option";
            return -1;
        }
        if (seen & (1u << k)) {
            *why = "an option chosen twice";
            return -1;
        }
        seen |= 1u << k;
        bank |= 1u << (perm[k] - 'A');
    }
    set_letters(bank, out);
    return 0;
}

int attempt_bank_to_shown(const char *perm, const char *bank, char out[ATTEMPT_MAX_OPTIONS + 1])
{
    out[0] = '\0';
    if (!attempt_perm_valid(perm) || !bank)
        return -1;
    unsigned shown = 0;
    for (const char *b = bank; *b; b++) {
        const char *p = strchr(perm, *b);
        if (!p || *b == '\0')
            return -1;
        shown |= 1u << (p - perm);
    }
    set_letters(shown, out);
    return 0;
}
