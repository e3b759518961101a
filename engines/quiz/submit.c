/* submit.c: see submit.h.
 *
 * Round trips are what a submit costs (DESIGN.md), so a submit makes none
 * of its own: it goes with its body to its group (group.h), whose writer
 * reads every attempt of the group in one statement, scores the answers in
 * the server (scoring.h) and commits the group in one transaction. Only a
 * body that is no JSON object costs a read here: it can only be a retry
 * owed its stored reply, or an error. */
#include "engines/quiz/submit.h"
#include "engines/quiz/group.h"
#include "server/park.h"

#include <stdlib.h>
#include <string.h>

#define SUBMIT_STORED_SQL "SELECT user_id, submitted_at, reply FROM attempts WHERE id = ?"
enum { L_USER, L_SUBMITTED, L_REPLY };

status_t quiz_submit_load(req_t *r, long long aid, quiz_attempt_t *out)
{
    memset(out, 0, sizeof *out);
    db_res_t *q = db_query(req_db(r), r->arena, SUBMIT_STORED_SQL, "i", aid);
    if (!q)
        return ST_STORE;
    if (!q->nrows)
        return ST_NOT_FOUND;
    out->id = aid;
    out->user_id = db_int(q, 0, L_USER);
    out->submitted = db_get(q, 0, L_SUBMITTED) != NULL;
    out->stored_reply = db_get(q, 0, L_REPLY);
    return ST_OK;
}

/* A submit on its way through its group: the entry, the arena that holds
 * everything it and its reply need (the request's own arena is the
 * worker's, reset once the handler returns), and the parked request. */
typedef struct {
    quiz_entry_t e;              /* first: its gc part is the queue's */
    arena_t arena;
    park_wait_t wait;            /* the request parked, or its thread sleeping */
    quiz_submit_reply_fn *reply;
} held_t;

static void held_free(held_t *h)
{
    arena_free(&h->arena);
    free(h);
}

static int reply_of(req_t *to, void *ud)
{
    held_t *h = ud;
    return h->reply(to, h->e.st, &h->e.out);
}

/* The writer is done with h's group: reply to the parked request from
 * this thread, in h's arena; or wake the waiter. */
static void written(gc_entry_t *g)
{
    held_t *h = (held_t *)g;
    if (park_wait_done(&h->wait, &h->arena, reply_of, h))
        held_free(h);
}

int quiz_submit(req_t *r, long long aid, json_t *body, long long now, const quiz_board_hooks_t *boards,
                quiz_submit_reply_fn *reply)
{
    held_t *h = calloc(1, sizeof *h);
    if (!h)
        return ST_ERR;
    arena_init(&h->arena);
    quiz_entry_t *s = &h->e;
    s->aid = aid;
    s->user_id = r->auth.user_id;
    s->now = now;
    /* The body is read by the group's writer, maybe after the handler
     * returned and its arena was reset: the entry's arena holds it too. */
    s->body = arena_json(&h->arena, json_incref(body));
    s->arena = &h->arena;
    h->reply = reply;
    s->gc.done = written;
    int parked = park_wait_begin(&h->wait, r);
    /* Queued holding no store: on the slow pool a borrowed connection goes
     * back (a fast thread owns its own; the writer uses its thread's). */
    req_release_stores(r);
    quiz_group_submit(r, s, boards);
    if (parked)
        return 0;    /* written() answers it and frees h: maybe already */
    park_wait_sleep(&h->wait);
    int rc = reply(r, s->st, &s->out);
    held_free(h);
    return rc;
}
