/* attempts.h: starting and submitting attempts (R_USER).
 *
 *   POST /attempts               {"contest_id"?} -> a new attempt (201) or
 *                                the caller's attempt still open (200)
 *   POST /attempts/{id}/submit   {"answers": [...]} -> the scored result
 *
 * MariaDB decides every rule here (DESIGN.md): the daily cap and "one open
 * attempt" are checked under a lock on the user's row, and a submit commits
 * the attempt's result, the day's best, the contest score, the board outbox
 * row and the reply itself in one transaction before answering. The
 * transactions are the quiz engine's (engines/quiz/start.h, submit.h). */
#ifndef ATTEMPTS_H
#define ATTEMPTS_H

#include "server/request.h"

int h_attempt_start(req_t *r);
int h_attempt_submit(req_t *r);

/* quizd paper-verify ATTEMPT_ID: the attempt's paper drawn again from its
 * seed at its bank version (exit 0 the same, 1 different, 2 cannot tell,
 * 3 a store error). */
int cmd_paper_verify(int argc, char **argv);

#endif
