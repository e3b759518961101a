/* rescore.h: what a corrected answer key does to results already given.
 *
 * When a question's answer key changes, every submitted attempt that had
 * the question is scored again from the choices it stored, and each
 * person's day bests and contest score are recomputed from their attempts.
 * Everything is recorded: attempt_rescores per attempt, score_adjustments
 * per contest score that moved, and a board_outbox row for each of those
 * (attempt_id = -score_adjustments.id) so the leaderboards follow.
 *
 * The stored submit reply of an attempt is left as it was: it is what the
 * person was told, and API.md promises it back byte for byte; the corrected
 * score is in attempts.score and the contest score. */
#ifndef RESCORE_H
#define RESCORE_H

#include "server/db.h"

/* Inside the caller's transaction. Returns the number of attempts whose
 * score changed (>= 0), or -1 on a store error (the caller rolls back;
 * db_errno tells a deadlock). */
int rescore_question(db_t *db, arena_t *a, long long revision_id, long long question_id,
                     const char *old_answer, const char *new_answer, long long now);

#endif
