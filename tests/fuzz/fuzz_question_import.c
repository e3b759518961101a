/* fuzz_question_import.c: the import path of a question bank as the server
 * runs it on an uploaded file — CSV records, the header row, then each data
 * row validated into a question. No input may crash it, and every accepted
 * question must satisfy what the importer relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/question_row.h"
#include "lib/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    int have_header;
    question_header_t header;
} ctx_t;

static int on_row(void *p, size_t line_no, const char *const *fields, size_t nfields,
                  unsigned errors)
{
    (void)line_no;
    ctx_t *c = p;
    char reason[QROW_REASON_MAX];
    if (errors)
        return 0;
    if (!c->have_header) {
        c->have_header = question_header_parse(&c->header, fields, nfields, reason) == 0;
        return 0;
    }
    question_row_t *q = malloc(sizeof *q);
    if (!q)
        return 1;
    int rc = question_row_parse(&c->header, fields, nfields, q, reason);
    if (rc == 0) {
        /* what the importer relies on: an answer of option letters, a stem */
        if (!q->answer[0] || !q->stem[0] || strspn(q->answer, "ABCDEF") != strlen(q->answer))
            abort();
        char fp[65];
        question_fingerprint(q, fp);
        if (strlen(fp) != 64)
            abort();
    } else if (rc < 0 && !reason[0]) {
        abort();   /* every rejection carries a reason for the organizer */
    }   /* rc == 1: a blank row, skipped */
    free(q);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ctx_t c = { 0 };
    csv_limits_t lim = { 16, 2048, 8192 };
    csv_parse((const char *)data, size, &lim, on_row, &c);
    return 0;
}
