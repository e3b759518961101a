/* paper_text.c: see paper_text.h. */
#include "engines/quiz/paper_text.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* One bank question's texts as JSON string literals ("\"...\""). */
typedef struct {
    long long id;
    char *type, *stem;
    size_t nopt;
    char **opt;          /* bank order */
} shown_q_t;

typedef struct {
    long long version;
    size_t n;
    shown_q_t *q;        /* q[i] belongs to the bank's q[i] */
    int refs;            /* under mu */
} texts_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static texts_t *current;

static char *literal(json_t *s)
{
    char *out = s ? json_dumps(s, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(s);
    return out;
}

static void texts_free(texts_t *t)
{
    for (size_t i = 0; t && t->q && i < t->n; i++) {
        free(t->q[i].type);
        free(t->q[i].stem);
        for (size_t k = 0; k < t->q[i].nopt; k++)
            free(t->q[i].opt[k]);
        free(t->q[i].opt);
    }
    if (t)
        free(t->q);
    free(t);
}

/* q's texts from the bank's; -1 when out of memory. Options that are not
 * strings show as "", as a missing one does. */
static int fill(shown_q_t *q, long long id, const quiz_bank_text_t *t)
{
    q->id = id;
    q->type = literal(json_string(t->type ? t->type : "single"));
    q->stem = literal(json_string(t->stem ? t->stem : ""));
    json_t *opts = json_loads(t->options ? t->options : "[]", 0, NULL);
    q->nopt = json_array_size(opts);
    q->opt = calloc(q->nopt + 1, sizeof *q->opt);
    for (size_t k = 0; q->opt && k < q->nopt; k++) {
        const char *s = json_string_value(json_array_get(opts, k));
        if (!(q->opt[k] = literal(json_string(s ? s : ""))))
            q->nopt = k;
    }
    json_decref(opts);
    return q->type && q->stem && q->opt ? 0 : -1;
}

static texts_t *texts_new(const quiz_bank_t *b)
{
    texts_t *t = calloc(1, sizeof *t);
    if (!t || !(t->q = calloc(b->n + 1, sizeof *t->q))) {
        free(t);
        return NULL;
    }
    t->version = b->version;
    t->refs = 1;
    for (; t->n < b->n; t->n++)
        if (fill(&t->q[t->n], b->q[t->n].id, &b->text[t->n]) < 0) {
            t->n++;
            texts_free(t);
            return NULL;
        }
    return t;
}

/* The texts of b's version, counted until put; made when not yet made. */
static texts_t *texts_get(const quiz_bank_t *b)
{
    pthread_mutex_lock(&mu);
    if (!current || current->version != b->version || current->n != b->n) {
        texts_t *t = texts_new(b);
        if (t) {
            if (current && --current->refs == 0)
                texts_free(current);
            current = t;
        }
    }
    texts_t *t = current && current->version == b->version && current->n == b->n ? current : NULL;
    if (t)
        t->refs++;
    pthread_mutex_unlock(&mu);
    return t;
}

static void texts_put(texts_t *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&mu);
    int last = --t->refs == 0;
    pthread_mutex_unlock(&mu);
    if (last)
        texts_free(t);
}

static char *put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* One question as shown, written at p: the end. */
static char *question(char *p, const shown_q_t *q, const char *perm)
{
    char head[48];
    snprintf(head, sizeof head, "{\"id\":%lld,\"type\":", q->id);
    p = put(put(put(put(p, head), q->type), ",\"stem\":"), q->stem);
    p = put(p, ",\"options\":[");
    for (size_t i = 0; perm[i]; i++) {
        size_t k = (size_t)(unsigned char)(perm[i] - 'A');
        char key[32];
        snprintf(key, sizeof key, "%s{\"key\":\"%c\",\"text\":", i ? "," : "", (char)('A' + i));
        p = put(put(put(p, key), k < q->nopt ? q->opt[k] : "\"\""), "}");
    }
    return put(p, "]}");
}

char *paper_text_shown(arena_t *a, const quiz_bank_t *b, const drawn_question_t *d, int n)
{
    texts_t *t = texts_get(b);
    if (!t)
        return NULL;
    size_t len = 3;
    for (int i = 0; i < n; i++) {
        const shown_q_t *q = d[i].bank_index < t->n ? &t->q[d[i].bank_index] : NULL;
        if (!q || q->id != d[i].id) {   /* not this bank's question: the caller builds it another way */
            texts_put(t);
            return NULL;
        }
        len += 96 + strlen(q->type) + strlen(q->stem);
        for (const char *o = d[i].perm; *o; o++) {
            size_t k = (size_t)(unsigned char)(*o - 'A');
            len += 32 + (k < q->nopt ? strlen(q->opt[k]) : 2);
        }
    }
    char *out = arena_alloc(a, len), *p = put(out, "[");
    for (int i = 0; i < n; i++)
        p = question(i ? put(p, ",") : p, &t->q[d[i].bank_index], d[i].perm);
    put(p, "]");
    texts_put(t);
    return out;
}
