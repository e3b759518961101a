/* bank.h: the question bank's active questions in memory, one copy per
 * bank version, shared by every thread of the process.
 *
 * The version is question_bank.version (schema/222), raised by every
 * writer of questions in its own transaction (quiz_bank_touch). A start
 * reads the version and asks for the bank at it: the copy in memory when
 * its version is the same, else the bank is read again (one query, the
 * version and the rows in one consistent read) and replaces it. A submit
 * scores with the key and explanation of the copy at the version its load
 * read (engines/quiz/submit.c), so a correction, which moves the version,
 * is scored from the submit after it. */
#ifndef QUIZ_BANK_H
#define QUIZ_BANK_H

#include "rules/paper_draw.h"
#include "server/db.h"

typedef struct {
    const char *type;       /* "single", "multiple", "judge" */
    const char *stem;
    const char *options;    /* JSON array of the option texts in bank order */
    const char *answer;     /* the key in bank letters ("AC"), for scoring a submit */
    const char *explanation;
} quiz_bank_text_t;

typedef struct quiz_bank {
    long long version;
    size_t n;
    draw_question_t *q;     /* for rules/paper_draw; ascending by id */
    quiz_bank_text_t *text; /* text[i] belongs to q[i] */
    int refs;               /* under the cache's lock */
} quiz_bank_t;

/* The bank at version (as read from question_bank), counted as used until
 * quiz_bank_put. NULL on a store error. The bank returned may be newer
 * than version when the version moved meanwhile (it is read with its own
 * version, consistently). */
quiz_bank_t *quiz_bank_get(db_t *db, long long version);
void quiz_bank_put(quiz_bank_t *b);

/* The index of question id in b (binary search), or -1 when b does not
 * hold it (inactive, or left out of papers). */
long long quiz_bank_find(const quiz_bank_t *b, long long id);

/* The copy in memory whatever its version, counted; NULL when none yet. */
quiz_bank_t *quiz_bank_current(void);

/* The current version (a plain read), or -1 on a store error. */
long long quiz_bank_version(db_t *db, arena_t *a);

/* Inside a transaction that changes questions: the bank moves on one
 * version. Returns 0 or -1. */
int quiz_bank_touch(db_t *db) __attribute__((warn_unused_result));

/* Drop the copy in memory (process exit, tests). */
void quiz_bank_clear(void);

#endif
