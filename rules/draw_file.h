/* draw_file.h: the frozen candidate list of a draw, as published (GET
 * /contests/{id}/draw/candidates) and read back by `quizd draw-verify`.
 * Its SHA-256 is the published candidates_sha256.
 *
 * Format (UTF-8 text, '\n' line ends, no trailing spaces):
 *   quizd-draw-candidates v1
 *   contest <contest id>
 *   full_marks <the paper's full marks>
 *   settings <the contest's prize_settings, compact JSON on one line>
 *   count <n>
 *   then n lines "<user_id> <score> <reached_at> <phone_group>" (decimal,
 *   single spaces) in canonical order (prize_alloc.h), phone_group 0 for no
 *   verified phone, else 1 + the position (0-based) of the first candidate
 *   with the same verified phone.
 * Nothing else: the file holds no name and no phone number. */
#ifndef RULES_DRAW_FILE_H
#define RULES_DRAW_FILE_H

#include <stddef.h>
#include "rules/prize_alloc.h"
#include "rules/prize_settings.h"

#define DRAW_FILE_MAGIC "quizd-draw-candidates v1"
#define DRAW_FILE_MAX_CANDIDATES 2000000
#define DRAW_FILE_MAX_BYTES (64u * 1024 * 1024)

typedef struct {
    long long contest_id;
    long long full_marks;
    prize_settings_t settings;
    char *settings_json;       /* malloc'd */
    prize_cand_t *cands;       /* malloc'd, canonical */
    size_t n;
} draw_file_t;

/* Parse len bytes (need not be NUL-terminated). Returns 0, or -1 with err
 * saying which line is wrong; free with rules_draw_file_free either way. */
int rules_draw_file_parse(const char *text, size_t len, draw_file_t *out, char *err, size_t errsz);
void rules_draw_file_free(draw_file_t *f);

/* Header of a file to be written: the lines up to "count <n>\n", into a
 * malloc'd string. */
char *rules_draw_file_header(long long contest_id, long long full_marks, const char *settings_json, size_t n);

#endif
