/* fuzz_draw_file.c: libFuzzer target for the draw's candidate file
 * (rules/draw_file.c), which `quizd draw-verify` reads from anyone.
 *
 *   make build-fuzz/fuzz_draw_file && build-fuzz/fuzz_draw_file tests/fuzz/corpus/draw_file/
 *
 * Besides the sanitizers it checks the contracts: an accepted file is
 * canonical, and the draw on it gives at most the settings' places, each
 * candidate and each phone group at most once. */
#include "rules/draw_file.h"
#include "rules/draw_rng.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    draw_file_t f;
    char err[256];
    if (rules_draw_file_parse((const char *)data, size, &f, err, sizeof err) == 0) {
        if (!rules_prize_canonical(f.cands, f.n))
            abort();
        size_t places = rules_prize_places(&f.settings);
        if (places <= 4096) {
            prize_award_t *aw = calloc(places + 1, sizeof *aw);
            unsigned char seed[16] = { 7 };
            draw_rng_t g;
            if (aw && rules_draw_rng_init(&g, seed, sizeof seed, "fuzz") == 0) {
                long n = rules_prize_allocate(&f.settings, f.full_marks, f.cands, f.n, rules_draw_rng_index, &g, aw);
                if (n < 0 || (size_t)n > places)
                    abort();
                unsigned char *seen = calloc(f.n + 1, 1), *ph = calloc(f.n + 1, 1);
                for (long i = 0; i < n && seen && ph; i++) {
                    if (seen[aw[i].cand]++)
                        abort();
                    size_t pg = f.cands[aw[i].cand].phone_group;
                    if (pg && ph[pg]++)
                        abort();
                }
                free(seen);
                free(ph);
                rules_draw_rng_free(&g);
            }
            free(aw);
        }
    }
    rules_draw_file_free(&f);
    return 0;
}
