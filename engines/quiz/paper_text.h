/* paper_text.h: a drawn paper as the person sees it, as JSON text, for the
 * start's reply.
 *
 * The bank's texts (type, stem, each option) are escaped as JSON strings
 * once per bank version and shared by every thread, so a start only copies
 * bytes: no option list is parsed, and no JSON value built, per start. */
#ifndef QUIZ_PAPER_TEXT_H
#define QUIZ_PAPER_TEXT_H

#include "engines/quiz/bank.h"
#include "rules/paper_draw.h"
#include "server/arena.h"

/* The n questions d drawn from b, as shown: a JSON array (compact, the
 * bytes json_dumps would write) of {"id","type","stem","options":[{"key",
 * "text"}]} with the options in the order of each perm, lettered A, B, ...;
 * never the answer or the explanation. In a; NULL when out of memory or
 * when d is not from b. */
char *paper_text_shown(arena_t *a, const quiz_bank_t *b, const drawn_question_t *d, int n);

#endif
