/* fuzz_unit_text.c: libFuzzer target for the text rules of registration
 * and search (rules/search_text.c, rules/org_name.c), which read what
 * people type.
 *
 *   make build-fuzz/fuzz_unit_text && build-fuzz/fuzz_unit_text tests/fuzz/corpus/unit_text/
 *
 * Besides the sanitizers it checks the contracts: a fold is valid UTF-8,
 * never longer than its input, has no leading, trailing or double space
 * and no upper-case ASCII, and folding it again changes nothing; the
 * keyword's bigrams are 1..4 distinct substrings of the fold, each of two
 * code points; a cleaned phone holds only '+', digits and single '-'. */
#include "rules/names.h"
#include "rules/org_name.h"
#include "rules/search_text.h"
#include "lib/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048)
        return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    size_t len = strlen(in);

    char fold[4200], again[4200];
    int n = rules_search_fold(in, fold, sizeof fold);
    if (n >= 0) {
        size_t fl = strlen(fold);
        if (!rules_utf8_valid(fold, fl) || fl > len || (size_t)n != rules_utf8_count(fold))
            abort();
        if (fl && (fold[0] == ' ' || fold[fl - 1] == ' ' || strstr(fold, "  ")))
            abort();
        for (size_t i = 0; i < fl; i++)
            if (fold[i] >= 'A' && fold[i] <= 'Z')
                abort();
        if (rules_search_fold(fold, again, sizeof again) != n || strcmp(fold, again) != 0)
            abort();
        char g[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE];
        int ng = rules_search_grams(fold, g);
        if ((n >= 2) != (ng >= 1) || ng > RULES_SEARCH_GRAMS)
            abort();
        for (int i = 0; i < ng; i++) {
            if (rules_utf8_count(g[i]) != 2 || !strstr(fold, g[i]))
                abort();
            for (int j = 0; j < i; j++)
                if (strcmp(g[i], g[j]) == 0)
                    abort();
        }
    }

    char clean[512];
    if (rules_text_field(in, 2, 100, clean, sizeof clean) >= 0)
        (void)rules_org_name_valid(clean);
    (void)rules_org_name_valid(in);

    char phone[32];
    int d = rules_contact_phone_clean(in, phone, sizeof phone);
    if (d >= 0) {
        int digits = 0;
        for (size_t i = 0; phone[i]; i++) {
            char c = phone[i];
            if (c >= '0' && c <= '9')
                digits++;
            else if (!(c == '+' && i == 0) && !(c == '-' && i > 0 && phone[i - 1] != '-'))
                abort();
        }
        if (digits != d || d < 5 || d > 20)
            abort();
    } else if (phone[0]) {
        abort();
    }
    free(in);
    return 0;
}
