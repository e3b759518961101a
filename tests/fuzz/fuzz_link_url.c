/* fuzz_link_url.c: libFuzzer target for what organizers and clients send
 * to the issue-13 rules: material links (rules/link_url.c) and the
 * audience, kind and review-policy strings (rules/eligibility.c).
 *
 *   make build-fuzz/fuzz_link_url && build-fuzz/fuzz_link_url tests/fuzz/corpus/link_url/
 *
 * Besides the sanitizers it checks the contracts: an accepted link starts
 * with http:// or https://, is at most LINK_URL_MAX bytes and holds no
 * byte that could leave an HTML attribute; eligibility answers are one of
 * the three values, and a review is never open before the end unless the
 * policy is exactly after_submit. */
#include "rules/eligibility.h"
#include "rules/link_url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    if (rules_link_url_valid(in)) {
        size_t n = strlen(in);
        if (n > LINK_URL_MAX || (strncmp(in, "https://", 8) != 0 && strncmp(in, "http://", 7) != 0) ||
            strpbrk(in, "\"'<> \\`\n\r\t"))
            abort();
    }
    /* the input split at its first newline: audience or policy, then kind */
    char *nl = strchr(in, '\n');
    const char *second = nl ? (*nl = '\0', nl + 1) : "";
    rules_elig_t e = rules_may_answer(in, second, (long long)size, 100);
    if (e != ELIG_OK && e != ELIG_NOT_IN_AUDIENCE && e != ELIG_TOO_LATE)
        abort();
    if (rules_review_open(in, 100, 50) && strcmp(in, "after_submit") != 0)
        abort();
    free(in);
    return 0;
}
