/* defer.h: requests whose Redis reads travel together.
 *
 * A kept board page's read is one Redis round trip of a few small
 * commands, and most of what that round trip costs, in quizd and in Redis,
 * is its system calls and the wake-up after it, not the commands. A
 * handler whose reads can wait a moment for others' hands them over with
 * req_defer_kv: the request is parked (park.h), its commands are queued,
 * and the fast thread that finds no group in flight sends every queued
 * request's commands in one pipeline on its own connection, then answers
 * each request in turn (lib/group_commit.h's queue "kv_read" in
 * GET /metrics: the mean group is entries / groups). A group forms only
 * while the one before it is in flight, so a lone request waits for no
 * one.
 *
 * The answer is made by resume(r, b, state): r is the request rebuilt from
 * its connection (its query, headers and path parameters; the answering
 * thread's arena and stores), b holds the commands with their replies
 * (every reply NULL when Redis failed, as after a failed kv_batch_run),
 * state is the caller's copy; resume returns what a handler returns. */
#ifndef DEFER_H
#define DEFER_H

#include "server/kv.h"
#include "server/request.h"

#include <stddef.h>

typedef int req_resume_fn(req_t *r, kv_batch_t *b, void *state);

/* Returns 1 when r was deferred: the handler then returns ST_OK at once
 * and never touches r again. 0 when it could not be (not on a fast
 * thread's connection, a request being resumed, out of memory): the
 * handler runs b itself. b's commands and len bytes of state are copied
 * (state is handed to resume aligned for any type). */
int req_defer_kv(req_t *r, const kv_batch_t *b, req_resume_fn *resume, const void *state, size_t len);

#endif
