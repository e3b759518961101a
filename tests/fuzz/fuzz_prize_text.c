/* fuzz_prize_text.c: libFuzzer target for the text checks of the prizes
 * work that read what people send: Douyin links (rules/douyin.c), phone
 * numbers (rules/phone_id.c), certificate serials (rules/cert_serial.c) and
 * prize settings (rules/prize_settings.c).
 *
 *   make build-fuzz/fuzz_prize_text && build-fuzz/fuzz_prize_text tests/fuzz/corpus/prize_text/
 *
 * Contracts checked besides the sanitizers: an accepted link's canonical
 * form is accepted again unchanged; a canonical phone is digits only and
 * canonical again; accepted settings have 1..PRIZE_MAX_COUNT per group. */
#include "rules/cert_serial.h"
#include "rules/douyin.h"
#include "rules/phone_id.h"
#include "rules/prize_settings.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    char a[DOUYIN_URL_MAX + 1], b[DOUYIN_URL_MAX + 1];
    if (rules_douyin_url(in, a, sizeof a) == 0 && (rules_douyin_url(a, b, sizeof b) != 0 || strcmp(a, b) != 0))
        abort();
    char p[32], q[32];
    if (rules_phone_canonical(in, p, sizeof p) == 0) {
        if (strspn(p, "0123456789") != strlen(p) || rules_phone_canonical(p, q, sizeof q) != 0 || strcmp(p, q) != 0)
            abort();
    }
    (void)rules_cert_serial_format(in);
    json_t *j = json_loadb(in, size, JSON_DECODE_ANY, NULL);
    if (j) {
        prize_settings_t s;
        char err[200];
        if (rules_prize_settings_parse(j, &s, err, sizeof err) == 0) {
            for (int g = 0; g < rules_prize_groups(&s); g++)
                if (!*rules_prize_group_name(&s, g))
                    abort();
        } else if (!err[0]) {
            abort();
        }
        json_decref(j);
    }
    free(in);
    return 0;
}
