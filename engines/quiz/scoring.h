/* scoring.h: a submit's answers checked against its paper and scored, in
 * the server (the writer of the submit's group calls it: group.c).
 *
 * The keys come from the question bank in memory (bank.h) at the version
 * the attempt's group read, or, for a paper with a question that bank
 * lacks (taken out since the draw), from MariaDB as it is now (one more
 * read). */
#ifndef QUIZ_SCORING_H
#define QUIZ_SCORING_H

#include "engines/quiz/group.h"

/* Read and score body's answers to attempt e->aid, whose stored paper is
 * paper and whose group read the bank at version (-1: no bank), into e:
 * e->bank, nq, correct, score and, when e->show_results, results (its
 * points and show_results set by the caller), all in r's arena. Returns
 * ST_OK with *why NULL or saying why the answers do not fit the paper, or
 * ST_STORE. */
status_t quiz_score_answers(req_t *r, const char *paper, long long version, json_t *body, quiz_entry_t *e,
                            const char **why) __attribute__((warn_unused_result));

#endif
