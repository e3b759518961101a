/* start.c: see start.h.
 *
 * The draw in the server (rules/paper_draw from a random seed over the
 * bank's active questions kept in memory, engines/quiz/bank.h), in the
 * starter's own thread; then the start is queued and committed with the
 * other starts ready at the same time in one transaction (group commit,
 * start_group.h), which locks each person's user row, checks
 * registration, audience, the open attempt and the daily cap, and writes
 * each new attempt's small row (seed, bank version, the paper's ids and
 * option orders) while the bank is still at the version drawn from.
 * MariaDB draws nothing. */
#include "engines/quiz/start.h"
#include "engines/quiz/bank.h"
#include "engines/quiz/paper_text.h"
#include "engines/quiz/start_group.h"
#include "lib/crypto.h"
#include "rules/attempt.h"
#include "rules/paper_draw.h"
#include "rules/score.h"
#include "server/db.h"
#include "server/log.h"
#include "server/park.h"

#include <stdlib.h>
#include <string.h>

/* One question as the person sees it: options in the order of perm,
 * lettered A, B, ...; never the answer or the explanation. */
static json_t *question_json(arena_t *a, long long id, const char *type, const char *stem, const char *options,
                             const char *perm)
{
    json_t *opts = arena_json(a, json_loads(options ? options : "[]", 0, NULL));
    json_t *shown = json_array();
    for (size_t i = 0; perm[i]; i++) {
        const char *text = json_string_value(json_array_get(opts, (size_t)(perm[i] - 'A')));
        char key[2] = { (char)('A' + i), 0 };
        json_array_append_new(shown, json_pack("{s:s,s:s}", "key", key, "text", text ? text : ""));
    }
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)id, "type", type ? type : "single",
                     "stem", stem ? stem : "", "options", shown);
}

/* The stored paper of attempt aid with each question's text, in order. */
#define PAPER_SQL \
    "SELECT jt.qid, jt.o, q.type, q.stem, q.options FROM attempts a" \
    " JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY, qid BIGINT PATH '$.id'," \
    "   o VARCHAR(6) PATH '$.o')) jt" \
    " JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"

static status_t open_attempt(db_t *db, arena_t *a, long long aid, quiz_started_t *out)
{
    db_res_t *o = db_query(db, a, "SELECT deadline FROM attempts WHERE id = ?", "i", aid);
    if (!o || !o->nrows)
        return ST_STORE;
    db_res_t *p = db_query(db, a, PAPER_SQL, "i", aid);
    if (!p)
        return ST_STORE;
    json_t *qs = arena_json(a, json_array());
    for (size_t i = 0; i < p->nrows; i++)
        json_array_append_new(qs, question_json(a, db_int(p, i, 0), db_get(p, i, 2), db_get(p, i, 3),
                                                db_get(p, i, 4), db_get(p, i, 1) ? db_get(p, i, 1) : ""));
    out->outcome = START_OPEN;
    out->attempt_id = aid;
    out->deadline = db_int(o, 0, 0);
    out->questions = arena_json_text(a, qs);
    return out->questions ? ST_OK : ST_STORE;
}

/* ---- drawing a paper ---- */

/* The contest's paper spec as the draw takes it, and in *want its total
 * (contest_questions_per_attempt's sum, from the same parse: the paper is
 * read once per start); -1 when it is not one. */
static int paper_spec(arena_t *a, const contest_t *c, draw_entry_t **out, int *want)
{
    json_t *paper = arena_json(a, json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL));
    size_t n = json_array_size(paper);
    draw_entry_t *e = arena_alloc(a, sizeof *e * (n + 1));
    *want = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(paper, i);
        e[i].category = json_string_value(json_object_get(j, "category"));
        e[i].count = (int)json_integer_value(json_object_get(j, "count"));
        *want += e[i].count;
        if (!e[i].category)
            return -1;
    }
    *out = e;
    return (int)n;
}

/* The paper of seed from bank b: the number of questions into d (0 when
 * the bank cannot fill the paper, -1 on a bad spec). */
static int draw(arena_t *a, const contest_t *c, const quiz_bank_t *b, const unsigned char *seed,
                drawn_question_t **d)
{
    draw_entry_t *spec;
    int want;
    int nspec = paper_spec(a, c, &spec, &want);
    if (nspec < 0 || want <= 0 || want > PAPER_MAX_QUESTIONS)
        return nspec < 0 || want > PAPER_MAX_QUESTIONS ? -1 : 0;
    *d = arena_alloc(a, sizeof **d * (size_t)want);
    return paper_draw(seed, b->q, b->n, spec, (size_t)nspec, *d, (size_t)want);
}

/* ---- the start: a paper drawn here, decided and written in a group ---- */

/* The bank for this start: the copy in memory, or (fresh) read at the
 * version now stored. NULL on a store error. */
static quiz_bank_t *bank_for_start(req_t *r, int fresh)
{
    quiz_bank_t *b = fresh ? NULL : quiz_bank_current();
    if (b)
        return b;
    long long v = quiz_bank_version(req_db(r), r->arena);
    return v < 0 ? NULL : quiz_bank_get(req_db(r), v);
}

/* The stored paper: [{"id":12,"o":"CADB"}, ...] (the perm's letters need
 * no escaping), as json_dumps would write it. */
static char *stored_json(arena_t *a, const drawn_question_t *d, int n)
{
    char *out = arena_alloc(a, 3 + (size_t)n * (48 + ATTEMPT_MAX_OPTIONS)), *p = out;
    *p++ = '[';
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s{\"id\":%lld,\"o\":\"%s\"}", i ? "," : "", d[i].id, d[i].perm);
    *p = ']';
    return out;
}

/* The paper as shown, as JSON text: from the texts escaped once per bank
 * version (paper_text.h), or, should that fail, built value by value. */
static const char *shown_json(arena_t *a, const quiz_bank_t *b, const drawn_question_t *d, int n)
{
    char *text = paper_text_shown(a, b, d, n);
    if (text)
        return text;
    json_t *shown = arena_json(a, json_array());
    for (int i = 0; i < n; i++) {
        const quiz_bank_text_t *t = &b->text[d[i].bank_index];
        json_array_append_new(shown, question_json(a, d[i].id, t->type, t->stem, t->options, d[i].perm));
    }
    return arena_json_text(a, shown);
}

/* e's paper drawn from b: the stored JSON into e, the paper as shown into
 * *shown. Returns the number of questions (0: b cannot fill the paper),
 * or -1 on a bad paper spec, no random bytes or no memory. */
static int draw_entry(arena_t *a, const contest_t *c, const quiz_bank_t *b, quiz_start_entry_t *e,
                      const char **shown)
{
    unsigned char seed[PAPER_SEED_LEN];
    char *seed_hex = arena_alloc(a, 2 * PAPER_SEED_LEN + 1);
    if (crypto_random_bytes(seed, sizeof seed) < 0)
        return -1;
    crypto_hex_encode(seed, sizeof seed, seed_hex);
    e->seed_hex = seed_hex;
    e->version = b->version;
    e->questions = NULL;
    drawn_question_t *d = NULL;
    int n = draw(a, c, b, seed, &d);
    if (n <= 0)
        return n;
    e->questions = stored_json(a, d, n);
    *shown = shown_json(a, b, d, n);
    return *shown ? n : -1;
}

/* A start on its way through its group: the entry, the arena that holds
 * everything it and its reply need (the request's own arena is the
 * worker's, reset once the handler returns, and so is the contest the
 * handler read), and the parked request. */
typedef struct {
    quiz_start_entry_t e;        /* first: its gc part is the queue's */
    arena_t arena;
    contest_t c;                 /* the handler's, its texts copied into arena */
    int draws;                   /* papers drawn so far */
    const char *shown;           /* the last paper drawn, as shown */
    status_t st;                 /* the outcome, once finished */
    quiz_started_t out;
    park_wait_t wait;            /* the request parked, or its thread sleeping */
    quiz_start_reply_fn *reply;
} held_t;

/* A bank edited again and again between a draw and its group: give up
 * after this many papers. */
#define MAX_DRAWS 4

static void held_free(held_t *h)
{
    arena_free(&h->arena);
    free(h);
}

static void contest_keep(arena_t *a, const contest_t *from, contest_t *to)
{
    *to = *from;
    to->slug = arena_strdup(a, from->slug);
    to->name = arena_strdup(a, from->name);
    to->paper_json = arena_strdup(a, from->paper_json);
    to->score_rule = arena_strdup(a, from->score_rule);
    to->prize_settings = arena_strdup(a, from->prize_settings);
    to->audience = arena_strdup(a, from->audience);
    to->review_policy = arena_strdup(a, from->review_policy);
}

/* Draw h's paper (into h's arena) from the copy of the bank in memory or,
 * fresh, from the bank read anew with r's connection. Returns the number
 * of questions (0: that bank cannot fill the paper) or -1. */
static int draw_paper(req_t *r, held_t *h, int fresh)
{
    quiz_bank_t *b = bank_for_start(r, fresh);
    if (!b)
        return -1;
    h->draws++;
    int n = draw_entry(&h->arena, &h->c, b, &h->e, &h->shown);
    quiz_bank_put(b);
    return n;
}

static const quiz_start_outcome_t refusals[] = {
    [SG_NOT_REGISTERED] = START_NOT_REGISTERED, [SG_NOT_IN_AUDIENCE] = START_NOT_IN_AUDIENCE,
    [SG_TOO_LATE] = START_TOO_LATE, [SG_DAILY_LIMIT] = START_DAILY_LIMIT, [SG_NO_PAPER] = START_NO_PAPER,
};

/* What the group decided, as the reply needs it (into h->out). */
static status_t outcome(req_t *writer, held_t *h)
{
    quiz_start_entry_t *e = &h->e;
    h->out.deadline = e->deadline;
    h->out.attempt_id = e->aid;
    switch (e->outcome) {
    case SG_NEW:
        h->out.outcome = START_NEW;
        h->out.questions = h->shown;
        return ST_OK;
    case SG_OPEN:
        return open_attempt(req_db(writer), &h->arena, e->aid, &h->out);
    case SG_BANK_MOVED:
        log_warn("start: the question bank kept moving; no paper drawn");
        return ST_STORE;
    case SG_NO_PAPER:
        log_warn("contest %lld: the question bank cannot fill the paper", h->c.id);
        /* fall through */
    default:
        h->out.outcome = refusals[e->outcome];
        return ST_OK;
    }
}

/* The writer, once e's group is written: when the bank moved on since the
 * draw, a paper drawn anew from the bank read again and written alone (a
 * few times: edits may follow one another closely); the open attempt's
 * paper read; the outcome into h. */
static void finish(req_t *writer, quiz_start_entry_t *e)
{
    held_t *h = (held_t *)e;
    while (e->st == ST_OK && e->outcome == SG_BANK_MOVED && h->draws < MAX_DRAWS) {
        if (draw_paper(writer, h, 1) < 0) {
            e->st = ST_STORE;
            break;
        }
        quiz_start_write_alone(writer, e);
    }
    h->st = e->st == ST_OK ? outcome(writer, h) : e->st;
}

static int reply_of(req_t *to, void *ud)
{
    held_t *h = ud;
    return h->reply(to, h->st, &h->c, &h->out);
}

/* The writer is done with h: reply to the parked request from this
 * thread, in h's arena; or wake the waiter. */
static void started(gc_entry_t *g)
{
    held_t *h = (held_t *)g;
    if (park_wait_done(&h->wait, &h->arena, reply_of, h))
        held_free(h);
}

int quiz_start(req_t *r, const contest_t *c, long long now, quiz_start_reply_fn *reply)
{
    held_t *h = calloc(1, sizeof *h);
    if (!h)
        return ST_ERR;
    arena_init(&h->arena);
    contest_keep(&h->arena, c, &h->c);
    h->reply = reply;
    /* The time limit, but never past the end of the contest. */
    long long deadline = now + c->time_limit_s < c->ends_at ? now + c->time_limit_s : c->ends_at;
    h->e = (quiz_start_entry_t){ .gc = { .done = started }, .finish = finish, .c = &h->c,
                                 .user_id = r->auth.user_id, .day = rules_shanghai_day(now), .now = now,
                                 .deadline = deadline };
    /* The copy of the bank in memory first; when it cannot fill the paper
     * (a newer bank may), the bank read anew. */
    int n = draw_paper(r, h, 0);
    if (n == 0)
        n = draw_paper(r, h, 1);
    if (n < 0) {
        held_free(h);
        return ST_STORE;
    }
    int parked = park_wait_begin(&h->wait, r);
    /* Queued holding no store: on the slow pool a borrowed connection goes
     * back (a fast thread owns its own; the writer uses its thread's). */
    req_release_stores(r);
    quiz_start_group(r, &h->e);
    if (parked)
        return 0;    /* started() answers it and frees h: maybe already */
    park_wait_sleep(&h->wait);
    int rc = reply(r, h->st, &h->c, &h->out);
    held_free(h);
    return rc;
}

/* ---- checking a stored paper against its seed ---- */

#define VERIFY_SQL \
    "SELECT HEX(a.seed), a.bank_version, a.questions, c.paper FROM attempts a" \
    " JOIN contests c ON c.id = a.contest_id WHERE a.id = ?"

int quiz_paper_verify(db_t *db, long long attempt_id, char *msg, size_t msglen)
{
    arena_t a;
    arena_init(&a);
    int rc = -1;
    db_res_t *r = db_query(db, &a, VERIFY_SQL, "i", attempt_id);
    long long now_version = quiz_bank_version(db, &a);
    unsigned char seed[PAPER_SEED_LEN];
    quiz_bank_t *b = NULL;
    if (!r || now_version < 0) {
        snprintf(msg, msglen, "database error: %s", db_error(db));
    } else if (!r->nrows) {
        snprintf(msg, msglen, "no attempt %lld", attempt_id);
        rc = 2;
    } else if (!db_get(r, 0, 0) || crypto_hex_decode(db_get(r, 0, 0), seed, sizeof seed) != 0) {
        snprintf(msg, msglen, "attempt %lld has no seed (drawn before schema 222)", attempt_id);
        rc = 2;
    } else if (db_int(r, 0, 1) != now_version) {
        snprintf(msg, msglen, "drawn at bank version %lld, the bank is now at %lld: cannot draw it again",
                 db_int(r, 0, 1), now_version);
        rc = 2;
    } else if ((b = quiz_bank_get(db, now_version)) && b->version == now_version) {
        contest_t c;
        memset(&c, 0, sizeof c);
        c.paper_json = db_get(r, 0, 3);
        drawn_question_t *d = NULL;
        int n = draw(&a, &c, b, seed, &d);
        json_t *again = json_array(), *stored = json_loads(db_get(r, 0, 2), 0, NULL);
        for (int i = 0; i < n; i++)
            json_array_append_new(again, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
        rc = n > 0 && stored && json_equal(again, stored) ? 0 : 1;
        snprintf(msg, msglen, rc == 0 ? "attempt %lld: the same paper drawn again from its seed at bank version %lld"
                                      : "attempt %lld: the stored paper differs from its seed's at bank version %lld",
                 attempt_id, now_version);
        json_decref(again);
        json_decref(stored);
    } else {
        snprintf(msg, msglen, "the bank moved on while reading it; try again");
        rc = 2;
    }
    quiz_bank_put(b);
    arena_free(&a);
    return rc;
}
