/* questions.h: the question bank.
 *
 *   POST /admin/questions/import   CSV, raw (text/csv) or multipart (organizer)
 *   PUT  /admin/questions/{id}     correct a question (organizer)
 *   quizd import-questions FILE    the same import from the command line
 *
 * An import upserts by fingerprint (type + stem): a new question is added,
 * a changed one is corrected exactly as PUT does (recorded, and rescored
 * when its answer key changed), an unchanged one is left alone, so
 * importing a file twice changes nothing. Each bad line is rejected with
 * its line number and reason while the good lines load. */
#ifndef QUESTIONS_H
#define QUESTIONS_H

#include <jansson.h>
#include <stddef.h>
#include "server/request.h"

/* Largest import body: an organizer's whole bank as Excel saves it. */
#define QUESTIONS_IMPORT_MAX_BODY (16u * 1024 * 1024)
/* Rejections listed in a reply (all are counted). */
#define QUESTIONS_MAX_REJECTS_LISTED 1000

typedef struct {
    long long created, updated, unchanged, rescored;
    long long rejected_total;
    json_t *rejected;        /* [{"line", "reason"}], at most QUESTIONS_MAX_REJECTS_LISTED */
    char error[200];         /* a problem with the whole file (header), else "" */
} qimport_t;

typedef void (*qimport_progress_fn)(void *ctx, size_t line, size_t lines);

/* Import CSV data[0..len) into the bank. kv (may be NULL) is told of
 * boards to rebuild after a rescore; organizer_id 0 for the command line. progress (may be NULL) is called every few hundred lines.
 * Returns 0 (see res, also for rejected lines), -1 for a store error, -2
 * when the file as a whole cannot be read (res->error says why; nothing
 * was written). res->rejected is the caller's to json_decref. */
int questions_import(db_t *db, kv_t *kv, arena_t *a, const char *data, size_t len, long long organizer_id,
                     qimport_t *res, qimport_progress_fn progress, void *pctx);

int h_admin_questions_import(req_t *r);
int h_admin_question_update(req_t *r);

/* quizd import-questions FILE */
int cmd_import_questions(int argc, char **argv);

#endif
