/* prizes.h: the prizes engine — the draw (commit, freeze, reveal), winners,
 * certificates, video receipts and the notices to winners and certificate
 * holders. Handlers in handlers/prizes.c, certificates.c, videos.c and
 * subscriptions.c turn requests into these calls.
 *
 * The functions return a status (server/status.h): ST_OK when done (a
 * function that replies has replied), ST_REPLIED after replying with a 4xx
 * (or another early reply the caller must not overwrite), ST_NOT_FOUND /
 * ST_INVALID / ST_CONFLICT for the handler to answer with the contract's
 * code, ST_STORE when MariaDB or Redis failed (nothing replied;
 * reply_status answers 503). The draw and certificate functions return
 * data and a status, as does the video award; the video receipt, list
 * and counts still reply themselves. */
#ifndef ENGINES_PRIZES_H
#define ENGINES_PRIZES_H

#include <jansson.h>
#include <stdio.h>
#include "engines/quiz/contest.h"
#include "rules/draw_file.h"
#include "server/request.h"
#include "server/status.h"

/* ---- the draw (draw.c) ---- */

/* Why a check failed: the contract's error code and message, for the
 * handler's reply (the draw and video awards: ST_INVALID 400, ST_CONFLICT
 * 409, ST_NOT_FOUND 404; certificates: ST_FORBIDDEN 403, ST_GONE 410). */
typedef struct {
    const char *code, *message;
    /* Certificates' not_eligible only, else NULL: which of its causes, for
     * a page to word it (no_certificate, before_end, not_real_name,
     * below_threshold, phone_unverified, phone_taken). */
    const char *reason;
} prizes_why_t;

/* The paper's full marks: questions per attempt × points per question. */
long long prizes_full_marks(const contest_t *c);

/* Commit to seed_sha256 (64 hex) and a named future public value, before
 * the end. ST_OK with *out {"commitment": {...}}; ST_INVALID
 * (invalid_parameter) or ST_CONFLICT (contest_ended, already_committed)
 * with *why; ST_STORE. Nothing replied. */
status_t prizes_commit(req_t *r, const contest_t *c, const char *seed_sha256, const char *pv_source, json_t **out,
                       prizes_why_t *why);

/* Freeze the candidate list (after the end; once). *sha is its hash.
 * ST_CONFLICT with *why (contest_not_ended, no_prizes, no_commitment),
 * ST_STORE. */
status_t prizes_freeze(req_t *r, const contest_t *c, const char **sha, prizes_why_t *why);

/* Reveal: check the seed against the commitment, freeze if not yet, run the
 * draw and store the winners. ST_OK with *out, the winners body with the
 * flat "winners" list; ST_INVALID (invalid_parameter, seed_mismatch),
 * ST_CONFLICT (as prizes_freeze, and already_revealed) or ST_NOT_FOUND with
 * *why; ST_STORE. Nothing replied. */
status_t prizes_reveal(req_t *r, const contest_t *c, const char *seed_hex, const char *public_value, json_t **out,
                       prizes_why_t *why);

/* GET /contests/{id}/winners body: ST_OK with *out, ST_NOT_FOUND (no draw
 * committed, or no prize settings; nothing replied) or ST_STORE. */
status_t prizes_winners(req_t *r, const contest_t *c, int organizer, json_t **out);

/* The frozen candidate file (in a's memory): ST_OK, ST_NOT_FOUND when not
 * frozen yet, ST_STORE. */
status_t prizes_candidates_file(db_t *db, arena_t *a, long long contest_id, const char **text, size_t *len);

/* ---- certificates (certificate.c, cert_pdf.c) ---- */

/* Keys derived from phone_key: serials, and the one-per-phone identity.
 * NULL / -1 when phone_key is not configured. */
const unsigned char *prizes_cert_key(void);
int prizes_phone_id(const char *phone, char out[65]);

/* The caller's certificate of contest c: made once (PDF kept under
 * data_dir/certificates/), then served from there. On ST_OK, *pdf (arena) /
 * *len / *serial are set. ST_FORBIDDEN with *why not_eligible (no
 * certificate in this contest, below the threshold, no real-name profile,
 * no verified phone, another account with the same phone has one, or
 * before the contest's end); ST_GONE with *why certificate_window_closed
 * after certificate_days; ST_ERR when the PDF cannot be made now (the
 * handler answers 503); ST_STORE. Nothing replied. */
status_t prizes_certificate(req_t *r, const contest_t *c, long long user_id, const char **pdf, size_t *len,
                            const char **serial, prizes_why_t *why);
/* GET /certificates/{serial}: ST_OK with *out, ST_NOT_FOUND (a malformed
 * or unknown serial), ST_STORE. */
status_t prizes_certificate_verify(db_t *db, arena_t *a, const char *serial, json_t **out);

typedef struct {
    const char *name, *unit, *contest, *serial, *link, *date;
    long long score;
    int hours;
} cert_text_t;
/* The PDF (malloc'd into *out) with font_path embedded. Returns 0 or -1. */
int prizes_cert_pdf(const cert_text_t *t, const char *font_path, unsigned char **out, size_t *len);

/* ---- short videos (videos.c) ---- */

/* POST /videos: checks, content check of the titles, stores. ST_OK with
 * *out the receipt ({"receipt_id", "mail_subject", "mail_subjects"}) and
 * *created 1 for a new one, 0 for a retry of one this person sent;
 * ST_INVALID (invalid_parameter, invalid_video_url, invalid_region,
 * content_risky), ST_FORBIDDEN (submissions_closed) or ST_CONFLICT
 * (video_exists) with *why; ST_STORE. Nothing replied. */
status_t prizes_video_submit(req_t *r, json_t *body, json_t **out, int *created, prizes_why_t *why);
/* The organizer's list in the caller's area ({"videos", "total"}), and
 * the works per county (county 1) or city under parent (NULL: every one)
 * ({"level", "minimum", "regions"}): ST_OK with *out, or ST_STORE. */
status_t prizes_video_list(req_t *r, long long limit, long long offset, json_t **out);
status_t prizes_video_regions(req_t *r, int county, const char *parent, json_t **out);
/* PUT /admin/videos/{id}/award: ST_OK with *out {"id", "award"};
 * ST_INVALID (invalid_parameter), ST_NOT_FOUND (not_found) or ST_CONFLICT
 * (award_full) with *why; ST_STORE. Nothing replied. */
status_t prizes_video_award(req_t *r, long long item_id, json_t *body, json_t **out, prizes_why_t *why);

/* ---- notices (notices.c) ---- */

/* POST /me/subscriptions: records that user_id accepted one message of
 * template kind ("result" | "certificate" | "event"): ST_OK, ST_INVALID
 * for another kind (or NULL), ST_STORE. */
status_t prizes_subscribe(db_t *db, long long user_id, const char *kind);
/* Background work (any server, any number at once): queue the notices that
 * are due (winners of revealed draws, people whose certificate can be
 * downloaded, each only if they accepted a message of that kind), then send
 * a few through WeChat. Cheap when there is nothing to do. */
void prizes_notices_tick(db_t *db, kv_t *kv);

/* ---- running a draw from a file (draw_run.c): server and CLI alike ---- */

typedef struct {
    draw_file_t file;
    prize_award_t *awards;   /* malloc'd */
    long nawards;
} draw_result_t;

/* Parse text and run the draw seeded with seed_hex and public_value.
 * Returns 0, or -1 with err set. Free with prizes_draw_result_free. */
int prizes_draw_run(const char *text, size_t len, const char *seed_hex, const char *public_value,
                    draw_result_t *out, char *err, size_t errsz);
void prizes_draw_result_free(draw_result_t *d);
/* The winners as "<group>\t<prize name>\t<position>\t<user_id>\t<rank|draw>" lines. */
void prizes_draw_print(const draw_result_t *d, FILE *f);

/* `quizd draw-verify FILE SEED_HEX PUBLIC_VALUE` */
int cmd_draw_verify(int argc, char **argv);

/* my_data.c: the caller's prizes, certificates, video receipts (with
 * their works) and accepted subscriptions, for GET /me/data:
 * {"prizes", "certificates", "video_receipts", "video_items",
 * "subscriptions"}, each an array; NULL when MariaDB failed. */
json_t *prizes_my_data(db_t *db, arena_t *a, long long user_id);

#endif
