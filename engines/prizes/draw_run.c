/* draw_run.c: one draw from a frozen candidate file, the seed and the
 * public value. The server's reveal and `quizd draw-verify` both come
 * through here, so the published rerun is the very code that drew. */
#include "engines/prizes/prizes.h"
#include "rules/draw_rng.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>

int prizes_draw_run(const char *text, size_t len, const char *seed_hex, const char *public_value,
                    draw_result_t *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (rules_draw_file_parse(text, len, &out->file, err, errsz) < 0)
        return -1;
    unsigned char seed[DRAW_SEED_MAX];
    int sl = rules_hex_decode(seed_hex, seed, sizeof seed);
    draw_rng_t g;
    if (sl < DRAW_SEED_MIN || rules_draw_rng_init(&g, seed, (size_t)sl, public_value) < 0) {
        snprintf(err, errsz, "the seed must be %d to %d bytes of hex and the public value at most %d bytes",
                 DRAW_SEED_MIN, DRAW_SEED_MAX, DRAW_PUBLIC_VALUE_MAX);
        return -1;
    }
    size_t places = rules_prize_places(&out->file.settings);
    out->awards = calloc(places + 1, sizeof *out->awards);
    out->nawards = out->awards ? rules_prize_allocate(&out->file.settings, out->file.full_marks, out->file.cands,
                                                      out->file.n, rules_draw_rng_index, &g, out->awards)
                               : -1;
    rules_draw_rng_free(&g);
    if (out->nawards < 0) {
        snprintf(err, errsz, "the draw failed");
        return -1;
    }
    return 0;
}

void prizes_draw_result_free(draw_result_t *d)
{
    rules_draw_file_free(&d->file);
    free(d->awards);
    memset(d, 0, sizeof *d);
}

void prizes_draw_print(const draw_result_t *d, FILE *f)
{
    int group = -1, pos = 0;
    for (long i = 0; i < d->nawards; i++) {
        const prize_award_t *a = &d->awards[i];
        pos = a->group == group ? pos + 1 : 1;
        group = a->group;
        fprintf(f, "%d\t%s\t%d\t%lld\t%s\n", a->group, rules_prize_group_name(&d->file.settings, a->group), pos,
                d->file.cands[a->cand].user_id, a->by_draw ? "draw" : "rank");
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            if (cap >= DRAW_FILE_MAX_BYTES + 1u)
                break;
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int cmd_draw_verify(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: quizd draw-verify CANDIDATES_FILE SEED_HEX PUBLIC_VALUE\n");
        return 2;
    }
    size_t len = 0;
    char *text = read_all(argv[1], &len);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    char sha[65], err[256];
    crypto_sha256_hex(text, len, sha);
    draw_result_t d;
    int rc = prizes_draw_run(text, len, argv[2], argv[3], &d, err, sizeof err);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "draw-verify: %s\n", err);
        prizes_draw_result_free(&d);
        return 1;
    }
    printf("# candidates_sha256 %s\n# algorithm %s\n# contest %lld, %zu candidates, %ld winners\n", sha,
           DRAW_ALGORITHM, d.file.contest_id, d.file.n, d.nawards);
    prizes_draw_print(&d, stdout);
    prizes_draw_result_free(&d);
    return 0;
}
