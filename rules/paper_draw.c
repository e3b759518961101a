/* paper_draw.c: see paper_draw.h. */
#include "rules/paper_draw.h"

#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The deterministic stream: HMAC-DRBG output taken 256 bytes at a time
 * (one generate call per 64 words, not one per word). */
typedef struct {
    mbedtls_hmac_drbg_context drbg;
    unsigned char buf[256];
    size_t pos;
    int failed;
} stream_t;

static int stream_init(stream_t *s, const unsigned char seed[PAPER_SEED_LEN])
{
    memset(s, 0, sizeof *s);
    mbedtls_hmac_drbg_init(&s->drbg);
    s->pos = sizeof s->buf;
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    return md && mbedtls_hmac_drbg_seed_buf(&s->drbg, md, seed, PAPER_SEED_LEN) == 0 ? 0 : -1;
}

static uint32_t stream_word(stream_t *s)
{
    if (s->pos + 4 > sizeof s->buf) {
        if (mbedtls_hmac_drbg_random(&s->drbg, s->buf, sizeof s->buf) != 0)
            s->failed = 1;
        s->pos = 0;
    }
    const unsigned char *b = s->buf + s->pos;
    s->pos += 4;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Uniform in 0..n-1 (n >= 1), without modulo bias: words from the top
 * partial range are drawn again. */
static uint32_t stream_below(stream_t *s, uint32_t n)
{
    uint32_t limit = UINT32_MAX - UINT32_MAX % n;
    uint32_t w;
    do
        w = stream_word(s);
    while (w >= limit && !s->failed);
    return w % n;
}

int paper_qtype(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "single") == 0)
        return PQ_SINGLE;
    if (strcmp(name, "multiple") == 0)
        return PQ_MULTIPLE;
    if (strcmp(name, "judge") == 0)
        return PQ_JUDGE;
    return -1;
}

typedef struct {
    const draw_question_t *bank;
    size_t *by_id;          /* bank indices in id order */
    unsigned char *taken;
    size_t *cand;
} draw_state_t;

typedef struct {
    long long id;
    size_t index;
} id_index_t;

static int cmp_id_index(const void *a, const void *b)
{
    const id_index_t *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* by_id[] = the bank's indices in id order, so the draw does not depend on
 * the order the bank was read in. A bank already in ascending id order (as
 * the quiz engine keeps it) is its own order: no sort per draw. Equal ids
 * end the draw either way (draw_with). */
static int sort_ids(size_t *by_id, const draw_question_t *bank, size_t nbank)
{
    size_t k = 1;
    while (k < nbank && bank[k - 1].id <= bank[k].id)
        k++;
    if (k >= nbank) {
        for (k = 0; k < nbank; k++)
            by_id[k] = k;
        return 0;
    }
    id_index_t *v = calloc(nbank + 1, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < nbank; i++)
        v[i] = (id_index_t){ bank[i].id, i };
    qsort(v, nbank, sizeof *v, cmp_id_index);
    for (size_t i = 0; i < nbank; i++)
        by_id[i] = v[i].index;
    free(v);
    return 0;
}

/* Choose count untaken questions of category into out[0..count-1] (bank
 * indices): a partial Fisher-Yates over the candidates in id order.
 * Returns 0, or 1 when the category is short. */
static int choose(draw_state_t *st, size_t nbank, const draw_entry_t *e, stream_t *s, size_t *out)
{
    int any = strcmp(e->category, "*") == 0;
    size_t n = 0;
    for (size_t i = 0; i < nbank; i++) {
        size_t k = st->by_id[i];
        if (!st->taken[k] && (any || strcmp(st->bank[k].category, e->category) == 0))
            st->cand[n++] = k;
    }
    if ((size_t)e->count > n)
        return 1;
    for (size_t i = 0; i < (size_t)e->count; i++) {
        size_t j = i + stream_below(s, (uint32_t)(n - i));
        size_t t = st->cand[i];
        st->cand[i] = st->cand[j];
        st->cand[j] = t;
        out[i] = st->cand[i];
        st->taken[st->cand[i]] = 1;
    }
    return 0;
}

typedef struct {
    drawn_question_t q;
    paper_qtype_t type;
    uint32_t key;
} shown_t;

static int cmp_shown(const void *a, const void *b)
{
    const shown_t *x = a, *y = b;
    if (x->type != y->type)
        return (int)x->type - (int)y->type;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->q.id < y->q.id ? -1 : x->q.id > y->q.id;
}

/* Checks the input; the total number of questions, or -1. */
static long spec_total(const draw_question_t *bank, size_t nbank, const draw_entry_t *spec, size_t nspec,
                       size_t max_out)
{
    long total = 0;
    for (size_t i = 0; i < nspec; i++) {
        if (!spec[i].category || spec[i].count < 0 || spec[i].count > PAPER_MAX_QUESTIONS)
            return -1;
        total += spec[i].count;
    }
    if (total > PAPER_MAX_QUESTIONS || (size_t)total > max_out)
        return -1;
    for (size_t i = 0; i < nbank; i++)
        if (!bank[i].category || bank[i].type < PQ_SINGLE || bank[i].type > PQ_JUDGE ||
            bank[i].noptions < 2 || bank[i].noptions > ATTEMPT_MAX_OPTIONS)
            return -1;
    return total;
}

/* Picks, shuffles and orders; returns the count, 0 (short) or -1. */
static int draw_with(draw_state_t *st, stream_t *s, size_t nbank, const draw_entry_t *spec, size_t nspec,
                     size_t total, shown_t *shown, size_t *picked)
{
    for (size_t i = 0; i + 1 < nbank; i++)
        if (st->bank[st->by_id[i]].id == st->bank[st->by_id[i + 1]].id)
            return -1;
    size_t n = 0;
    for (size_t e = 0; e < nspec; e++) {
        if (choose(st, nbank, &spec[e], s, picked + n))
            return 0;
        n += (size_t)spec[e].count;
    }
    for (size_t i = 0; i < total; i++) {
        const draw_question_t *q = &st->bank[picked[i]];
        uint32_t w[ATTEMPT_MAX_OPTIONS];
        for (int k = 0; k < ATTEMPT_MAX_OPTIONS; k++)
            w[k] = stream_word(s);
        shown[i].q.id = q->id;
        shown[i].q.bank_index = picked[i];
        shown[i].type = q->type;
        shown[i].key = stream_word(s);
        if (attempt_shuffle(q->type == PQ_JUDGE ? 2 : q->noptions, q->type == PQ_JUDGE, w, shown[i].q.perm))
            return -1;
    }
    if (s->failed)
        return -1;
    qsort(shown, total, sizeof *shown, cmp_shown);
    return (int)total;
}

int paper_draw(const unsigned char seed[PAPER_SEED_LEN], const draw_question_t *bank, size_t nbank,
               const draw_entry_t *spec, size_t nspec, drawn_question_t *out, size_t max_out)
{
    long total = spec_total(bank, nbank, spec, nspec, max_out);
    if (total < 0 || !seed || (nbank && !bank) || (nspec && !spec) || (total && !out))
        return -1;
    if (total == 0)
        return 0;
    draw_state_t st = { bank, calloc(nbank + 1, sizeof(size_t)), calloc(nbank + 1, 1),
                        calloc(nbank + 1, sizeof(size_t)) };
    shown_t *shown = calloc((size_t)total, sizeof *shown);
    size_t *picked = calloc((size_t)total, sizeof *picked);
    stream_t s;
    int rc = stream_init(&s, seed);
    if (rc == 0 && (!st.by_id || !st.taken || !st.cand || !shown || !picked))
        rc = -1;
    if (rc == 0) {
        rc = sort_ids(st.by_id, bank, nbank);
        if (rc == 0)
            rc = draw_with(&st, &s, nbank, spec, nspec, (size_t)total, shown, picked);
        for (int i = 0; i < rc; i++)
            out[i] = shown[i].q;
    }
    mbedtls_hmac_drbg_free(&s.drbg);
    free(st.by_id);
    free(st.taken);
    free(st.cand);
    free(shown);
    free(picked);
    return rc;
}
