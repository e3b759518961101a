/* bank.c: see bank.h.
 *
 * One current copy behind a mutex, counted: a start holds the copy it drew
 * from until its reply is built, so a newer copy can replace it meanwhile
 * and the old one is freed by its last user. Reading the bank again is
 * serialised (load_mu) so a version change costs one query, not one per
 * waiting thread. */
#include "engines/quiz/bank.h"
#include "server/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;       /* current, refs */
static pthread_mutex_t load_mu = PTHREAD_MUTEX_INITIALIZER;  /* one reader of the bank at a time */
static quiz_bank_t *current;

static void bank_free(quiz_bank_t *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        free((char *)b->q[i].category);
        free((char *)b->text[i].stem);
        free((char *)b->text[i].options);
        free((char *)b->text[i].answer);
        free((char *)b->text[i].explanation);
    }
    free(b->q);
    free(b->text);
    free(b);
}

void quiz_bank_put(quiz_bank_t *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&mu);
    int last = --b->refs == 0;
    pthread_mutex_unlock(&mu);
    if (last)
        bank_free(b);
}

/* The current copy when its version is `version`, counted; else NULL. */
static quiz_bank_t *cached(long long version)
{
    pthread_mutex_lock(&mu);
    quiz_bank_t *b = current && current->version == version ? current : NULL;
    if (b)
        b->refs++;
    pthread_mutex_unlock(&mu);
    return b;
}

/* Make b the current copy (unless a newer one is there); b comes counted
 * once for the caller. */
static void install(quiz_bank_t *b)
{
    quiz_bank_t *old = NULL;
    pthread_mutex_lock(&mu);
    if (!current || current->version <= b->version) {
        old = current;
        current = b;
        b->refs++;
    }
    pthread_mutex_unlock(&mu);
    quiz_bank_put(old);
}

/* The active questions and the version, in one statement (one consistent
 * read). Types and option counts the draw cannot use are left out with a
 * warning: such a row could not be shown either. */
#define BANK_SQL \
    "SELECT b.version, q.id, q.type, q.category, q.stem, q.options, JSON_LENGTH(q.options), q.answer," \
    " q.explanation" \
    " FROM question_bank b LEFT JOIN questions q ON q.active = 1 WHERE b.id = 1 ORDER BY q.id"

static quiz_bank_t *load(db_t *db)
{
    arena_t a;
    arena_init(&a);
    db_res_t *r = db_query(db, &a, BANK_SQL, "");
    quiz_bank_t *b = r ? calloc(1, sizeof *b) : NULL;
    if (b) {
        b->q = calloc(r->nrows + 1, sizeof *b->q);
        b->text = calloc(r->nrows + 1, sizeof *b->text);
    }
    if (!b || !b->q || !b->text) {
        free(b ? b->q : NULL);
        free(b ? b->text : NULL);
        free(b);
        arena_reset(&a);
        return NULL;
    }
    b->refs = 1;
    /* the version row always comes back, with NULLs for an empty bank */
    b->version = r->nrows ? db_int(r, 0, 0) : -1;
    for (size_t i = 0; i < r->nrows; i++) {
        if (!db_get(r, i, 1))
            continue;
        int type = paper_qtype(db_get(r, i, 2));
        int nopt = type == PQ_JUDGE ? 2 : (int)db_int(r, i, 6);
        if (type < 0 || nopt < 2 || nopt > ATTEMPT_MAX_OPTIONS) {
            log_warn("question %lld: left out of papers (type or %d options)", db_int(r, i, 1), nopt);
            continue;
        }
        draw_question_t *q = &b->q[b->n];
        q->id = db_int(r, i, 1);
        q->type = (paper_qtype_t)type;
        q->noptions = nopt;
        q->category = strdup(db_get(r, i, 3) ? db_get(r, i, 3) : "");
        b->text[b->n].type = type == PQ_SINGLE ? "single" : type == PQ_MULTIPLE ? "multiple" : "judge";
        b->text[b->n].stem = strdup(db_get(r, i, 4) ? db_get(r, i, 4) : "");
        b->text[b->n].options = strdup(db_get(r, i, 5) ? db_get(r, i, 5) : "[]");
        b->text[b->n].answer = strdup(db_get(r, i, 7) ? db_get(r, i, 7) : "");
        b->text[b->n].explanation = strdup(db_get(r, i, 8) ? db_get(r, i, 8) : "");
        b->n++;
        const quiz_bank_text_t *t = &b->text[b->n - 1];
        if (!q->category || !t->stem || !t->options || !t->answer || !t->explanation) {
            bank_free(b);
            b = NULL;
            break;
        }
    }
    arena_free(&a);
    return b;
}

quiz_bank_t *quiz_bank_get(db_t *db, long long version)
{
    quiz_bank_t *b = cached(version);
    if (b)
        return b;
    pthread_mutex_lock(&load_mu);
    b = cached(version);            /* another thread read it meanwhile */
    if (!b) {
        b = load(db);
        if (b && b->version >= 0)
            install(b);
        if (b)
            log_info("question bank: version %lld, %zu active questions in memory", b->version, b->n);
    }
    pthread_mutex_unlock(&load_mu);
    return b;
}

long long quiz_bank_find(const quiz_bank_t *b, long long id)
{
    /* q[] is ascending by id: BANK_SQL orders by it and load keeps the order */
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->q[mid].id == id)
            return (long long)mid;
        if (b->q[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

quiz_bank_t *quiz_bank_current(void)
{
    pthread_mutex_lock(&mu);
    quiz_bank_t *b = current;
    if (b)
        b->refs++;
    pthread_mutex_unlock(&mu);
    return b;
}

long long quiz_bank_version(db_t *db, arena_t *a)
{
    db_res_t *r = db_query(db, a, "SELECT version FROM question_bank WHERE id = 1", "");
    return r && r->nrows ? db_int(r, 0, 0) : -1;
}

int quiz_bank_touch(db_t *db)
{
    return db_exec(db, "UPDATE question_bank SET version = version + 1 WHERE id = 1", "") < 0 ? -1 : 0;
}

void quiz_bank_clear(void)
{
    pthread_mutex_lock(&mu);
    quiz_bank_t *b = current;
    current = NULL;
    pthread_mutex_unlock(&mu);
    quiz_bank_put(b);
}
