/* questions.c: see questions.h.
 *
 * The import reads the bank's fingerprints and content hashes once, then
 * walks the CSV: new questions go in batches of QBATCH rows, each batch one
 * INSERT ... SELECT over JSON_TABLE (one round trip and one commit for the
 * batch, so a 10 MB file takes seconds, not a commit per line); a changed
 * question is corrected in its own transaction like PUT. */
#include "handlers/questions.h"
#include "engines/boards/boards.h"
#include "engines/console/console.h"
#include "handlers/handlers.h"
#include "lib/multipart.h"
#include "engines/quiz/bank.h"
#include "engines/quiz/rescore.h"
#include "engines/units/units.h"
#include "rules/question_row.h"
#include "lib/csv.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QBATCH 300

/* ---- a question as stored ---- */

typedef struct {
    char fp[65], hash[65];
    const char *type, *options_json;
    int noptions;
} qstored_t;

/* The stored form of a checked row: options as a JSON array of texts in
 * bank order (judge: 对, 错), the fingerprint and the content hash. The
 * options string is the caller's to free. */
static void stored_form(const question_row_t *q, qstored_t *s)
{
    question_fingerprint(q, s->fp);
    s->type = question_type_name(q->type);
    json_t *o = json_array();
    if (q->type == QTYPE_JUDGE) {
        json_array_append_new(o, json_string("对"));
        json_array_append_new(o, json_string("错"));
    } else {
        for (int i = 0; i < q->noptions; i++)
            json_array_append_new(o, json_string(q->options[i]));
    }
    s->noptions = (int)json_array_size(o);
    s->options_json = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_t *all = json_pack("[s,s,s,s,s,s]", s->type, q->category, q->stem, s->options_json ? s->options_json : "",
                            q->answer, q->explanation);
    char *txt = json_dumps(all, JSON_COMPACT);
    json_decref(all);
    crypto_sha256_hex(txt ? txt : "", txt ? strlen(txt) : 0, s->hash);
    free(txt);
}

/* ---- correcting one question (PUT, and an import that changes it) ---- */

#define QCOLS "id, fingerprint, type, category, stem, options, answer, explanation, active, revision"

static json_t *question_admin_json(const db_res_t *q, size_t i)
{
    json_t *opts = json_loads(db_get(q, i, 5) ? db_get(q, i, 5) : "[]", 0, NULL);
    json_t *shown = json_array();
    size_t k;
    json_t *t;
    json_array_foreach(opts, k, t) {
        char key[2] = { (char)('A' + k), 0 };
        json_array_append_new(shown, json_pack("{s:s,s:O}", "key", key, "text", t));
    }
    json_decref(opts);
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:b,s:I}", "id", (json_int_t)db_int(q, i, 0), "type",
                     db_get(q, i, 2), "category", db_get(q, i, 3), "stem", db_get(q, i, 4), "options", shown,
                     "answer", db_get(q, i, 6), "explanation", db_get(q, i, 7) ? db_get(q, i, 7) : "",
                     "active", (int)db_int(q, i, 8), "revision", (json_int_t)db_int(q, i, 9));
}

typedef enum { UPD_OK = 0, UPD_STORE = -1, UPD_IN_USE = -2, UPD_EXISTS = -3 } upd_rc_t;

typedef struct {
    kv_t *kv;
    arena_t *a;
    long long id, organizer_id, now;
    const question_row_t *q;
    const qstored_t *s;
    int active;
    const char *source;
    int rescored;   /* out: attempts rescored */
    int outcome;    /* out: UPD_OK, UPD_IN_USE or UPD_EXISTS (nothing written) */
} upd_ctx_t;

/* Inside the update's transaction, after the UPDATE: the revision row
 * (before and after as the API shows them) and, when the answer changed,
 * the rescore. b is the row before. *rev_out gets the revision's id.
 * Returns ST_OK or ST_STORE. */
static int record_revision(db_t *db, upd_ctx_t *x, const db_res_t *b, long long *rev_out)
{
    db_res_t *after_row = db_query(db, x->a, "SELECT " QCOLS " FROM questions WHERE id = ?", "i", x->id);
    if (!after_row || !after_row->nrows)
        return ST_STORE;
    json_t *before = arena_json(x->a, question_admin_json(b, 0));
    json_t *after = arena_json(x->a, question_admin_json(after_row, 0));
    const char *bj = arena_json_text(x->a, before);
    const char *aj = arena_json_text(x->a, after);
    /* an organizer's correction also goes to the console's audit record */
    if (x->organizer_id > 0 &&
        console_audit(db, x->organizer_id, strcmp(x->source, "api") == 0 ? "question.update" : "question.import",
                      "question", x->id, before, after) != 0)
        return ST_STORE;
    const char *old_answer = db_get(b, 0, 6);
    int answer_changed = strcmp(old_answer, x->q->answer) != 0;
    long long n = db_exec(db, "INSERT INTO question_revisions (question_id, revision, source, organizer_id,"
                              " changed_at, before_json, after_json, answer_changed)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          "iisiissi", x->id, db_int(b, 0, 9) + 1, x->source,
                          x->organizer_id, x->now, bj ? bj : "{}", aj ? aj : "{}", (long long)answer_changed);
    if (n < 0)
        return ST_STORE;
    long long rev = db_last_id(db);
    *rev_out = rev;
    if (answer_changed) {
        int k = rescore_question(db, x->a, rev, x->id, old_answer, x->q->answer, x->now);
        if (k < 0 || db_exec(db, "UPDATE question_revisions SET attempts_rescored = ? WHERE id = ?", "ii",
                             (long long)k, rev) < 0)
            return ST_STORE;
        x->rescored = k;
        log_info("question %lld: answer key corrected, %d attempt(s) rescored", x->id, k);
    }
    return ST_OK;
}

/* In its own transaction, under db_tx (db.h): write q over question id,
 * record the revision, rescore when the answer changed. Returns ST_OK with
 * x->outcome set, or ST_STORE. */
static int apply_update_tx(db_t *db, void *ctx)
{
    upd_ctx_t *x = ctx;
    kv_t *kv = x->kv;
    arena_t *a = x->a;
    long long id = x->id, now = x->now;
    const question_row_t *q = x->q;
    const qstored_t *s = x->s;
    int active = x->active;
    int *rescored = &x->rescored;
    *rescored = 0;
    x->outcome = UPD_OK;
    db_res_t *b = db_query(db, a, "SELECT " QCOLS ", JSON_LENGTH(options) FROM questions WHERE id = ? FOR UPDATE",
                           "i", id);
    if (!b || !b->nrows)
        return ST_STORE;
    /* Attempts store bank letters: a question someone has been shown keeps
     * its number of options. */
    if (db_int(b, 0, 10) != s->noptions) {
        char probe[48];
        snprintf(probe, sizeof probe, "{\"id\": %lld}", id);
        db_res_t *used = db_query(db, a, "SELECT 1 FROM attempts WHERE JSON_CONTAINS(questions, ?) LIMIT 1", "s",
                                  probe);
        if (!used)
            return ST_STORE;
        if (used->nrows) {
            db_rollback(db);
            x->outcome = UPD_IN_USE;
            return ST_OK;
        }
    }
    if (db_exec(db, "UPDATE questions SET fingerprint = ?, content_hash = ?, category = ?, stem = ?, options = ?,"
                    " answer = ?, explanation = ?, active = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
                "sssssssiii", s->fp, s->hash, q->category, q->stem, s->options_json, q->answer, q->explanation,
                (long long)active, now, id) < 0) {
        if (db_errno(db) == DB_ER_DUP_ENTRY) {
            db_rollback(db);
            x->outcome = UPD_EXISTS;
            return ST_OK;
        }
        return ST_STORE;
    }
    long long rev;
    int st = record_revision(db, x, b, &rev);
    if (st != ST_OK)
        return st;
    /* Last, so the bank's version row is held only for the commit. */
    if (quiz_bank_touch(db) < 0 || db_commit(db) < 0)
        return ST_STORE;
    if (*rescored > 0)
        unit_counts_changed();          /* units' scores (engines/units/units.h) */
    /* The boards only ever raise a person's key, so a rescore that lowered
     * anyone's contest score asks for those contests' boards anew. */
    if (*rescored > 0 && kv) {
        db_res_t *cs = db_query(db, a, "SELECT DISTINCT contest_id FROM score_adjustments WHERE revision_id = ?"
                                       " AND new_score < old_score", "i", rev);
        for (size_t i = 0; cs && i < cs->nrows; i++)
            if (lb_request_rebuild(kv, db_int(cs, i, 0)) < 0)
                log_warn("question %lld: boards of contest %lld need a rebuild (Redis unavailable)", id,
                         db_int(cs, i, 0));
    }
    return ST_OK;
}

/* apply_update_tx through the transaction runner: UPD_OK, UPD_IN_USE,
 * UPD_EXISTS, or UPD_STORE. *rescored gets the attempts rescored. */
static int apply_update_retry(db_t *db, kv_t *kv, arena_t *a, long long id, const question_row_t *q, const qstored_t *s,
                              int active, const char *source, long long organizer_id, long long now, int *rescored)
{
    upd_ctx_t x = { .kv = kv, .a = a, .id = id, .organizer_id = organizer_id, .now = now, .q = q, .s = s,
                    .active = active, .source = source };
    int st = db_tx(db, apply_update_tx, &x);
    *rescored = st == ST_OK ? x.rescored : 0;
    return st != ST_OK ? UPD_STORE : x.outcome;
}

/* ---- import ---- */

typedef struct {
    const char *fp;       /* 64 hex */
    const char *hash;
    long long id;         /* 0: new in this file */
    size_t line;          /* line in this file, 0 when not seen in it */
} known_t;

typedef struct {
    db_t *db;
    kv_t *kv;
    arena_t *a;
    qimport_t *res;
    question_header_t h;
    int have_header;
    known_t *map;
    size_t cap;
    json_t *batch;
    long long now, organizer_id;
    int store_err;
    size_t lines;
    qimport_progress_fn progress;
    void *pctx;
} ictx_t;

static uint64_t fp_hash(const char *fp)
{
    uint64_t h = 0;
    for (int i = 0; i < 16; i++)
        h = h * 16 + (uint64_t)(fp[i] <= '9' ? fp[i] - '0' : fp[i] - 'a' + 10);
    return h;
}

/* The slot of fp: its entry, or the empty slot where it would go. */
static known_t *slot(ictx_t *c, const char *fp)
{
    size_t i = (size_t)fp_hash(fp) & (c->cap - 1);
    while (c->map[i].fp && memcmp(c->map[i].fp, fp, 64) != 0)
        i = (i + 1) & (c->cap - 1);
    return &c->map[i];
}

static void reject(ictx_t *c, size_t line, const char *why)
{
    c->res->rejected_total++;
    if (json_array_size(c->res->rejected) < QUESTIONS_MAX_REJECTS_LISTED)
        json_array_append_new(c->res->rejected, json_pack("{s:I,s:s}", "line", (json_int_t)line, "reason", why));
}

static int flush(ictx_t *c)
{
    size_t n = json_array_size(c->batch);
    if (!n)
        return 0;
    char *rows = json_dumps(c->batch, JSON_COMPACT);
    json_array_clear(c->batch);
    if (!rows)
        return -1;
    /* A question added by a concurrent import meanwhile is left as it is. */
    long long rc = db_exec(c->db,
                           "INSERT INTO questions (fingerprint, content_hash, type, category, stem, options, answer,"
                           " explanation, created_at, updated_at)"
                           " SELECT fp, ch, ty, cat, stem, opts, ans, expl, ?, ? FROM JSON_TABLE(?, '$[*]' COLUMNS ("
                           "  fp VARCHAR(64) PATH '$[0]', ch VARCHAR(64) PATH '$[1]', ty VARCHAR(10) PATH '$[2]',"
                           "  cat VARCHAR(200) PATH '$[3]', stem TEXT PATH '$[4]', opts TEXT PATH '$[5]',"
                           "  ans VARCHAR(8) PATH '$[6]', expl TEXT PATH '$[7]')) jt"
                           " ON DUPLICATE KEY UPDATE id = id",
                           "iis", c->now, c->now, rows);
    free(rows);
    /* New questions: the bank moves on (servers read it again at their
     * next start). After the INSERT's own commit: a server that reads the
     * bank in between reads it once more. */
    if (rc < 0 || (rc > 0 && quiz_bank_touch(c->db) < 0))
        return -1;
    c->res->created += (long long)n;
    return 0;
}

static int on_row(void *ctx, size_t line, const char *const *fields, size_t nfields, unsigned errors)
{
    ictx_t *c = ctx;
    if (c->progress && line % 500 == 0)
        c->progress(c->pctx, line, c->lines);
    char why[QROW_REASON_MAX];
    if (!c->have_header) {
        if (!errors && csv_fields_blank(fields, nfields))
            return 0;
        if (errors) {
            snprintf(c->res->error, sizeof c->res->error, "line %zu (header): %s", line, csv_strerror(errors));
            return 1;
        }
        if (question_header_parse(&c->h, fields, nfields, why) < 0) {
            snprintf(c->res->error, sizeof c->res->error, "line %zu (header): %s", line, why);
            return 1;
        }
        c->have_header = 1;
        return 0;
    }
    if (errors) {
        reject(c, line, csv_strerror(errors));
        return 0;
    }
    static _Thread_local question_row_t q;
    int rc = question_row_parse(&c->h, fields, nfields, &q, why);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        reject(c, line, why);
        return 0;
    }
    qstored_t s;
    stored_form(&q, &s);
    known_t *k = slot(c, s.fp);
    if (k->fp && k->line) {
        reject(c, line, arena_sprintf(c->a, "the same question (type and stem) as line %zu", k->line));
    } else if (k->fp) {
        k->line = line;
        if (strcmp(k->hash, s.hash) == 0) {
            c->res->unchanged++;
        } else {
            int rescored;
            int u = apply_update_retry(c->db, c->kv, c->a, k->id, &q, &s, 1, "import", c->organizer_id, c->now, &rescored);
            if (u == UPD_STORE) {
                c->store_err = 1;
            } else if (u == UPD_IN_USE) {
                reject(c, line, "this question is already in attempts; its number of options cannot change");
            } else {
                c->res->updated++;
                c->res->rescored += rescored;
            }
        }
    } else {
        k->fp = arena_strdup(c->a, s.fp);
        k->hash = arena_strdup(c->a, s.hash);
        k->line = line;
        json_array_append_new(c->batch, json_pack("[s,s,s,s,s,s,s,s]", s.fp, s.hash, s.type, q.category, q.stem,
                                                  s.options_json ? s.options_json : "[]", q.answer, q.explanation));
        if (json_array_size(c->batch) >= QBATCH && flush(c) < 0)
            c->store_err = 1;
    }
    free((void *)s.options_json);
    return c->store_err ? 1 : 0;
}

int questions_import(db_t *db, kv_t *kv, arena_t *a, const char *data, size_t len, long long organizer_id,
                     qimport_t *res, qimport_progress_fn progress, void *pctx)
{
    memset(res, 0, sizeof *res);
    res->rejected = json_array();
    ictx_t c = { .db = db, .kv = kv, .a = a, .res = res, .now = clock_now_s(), .organizer_id = organizer_id,
                 .progress = progress, .pctx = pctx };
    for (size_t i = 0; i < len; i++)
        c.lines += data[i] == '\n';
    c.lines++;
    db_res_t *have = db_query(db, a, "SELECT fingerprint, content_hash, id FROM questions", "");
    if (!have)
        return -1;
    /* Open addressing at most half full: every existing question and every
     * line of the file fit. */
    c.cap = 64;
    while (c.cap < 2 * (have->nrows + c.lines))
        c.cap *= 2;
    c.map = arena_alloc(a, sizeof *c.map * c.cap);
    for (size_t i = 0; i < have->nrows; i++) {
        known_t *k = slot(&c, db_get(have, i, 0));
        k->fp = db_get(have, i, 0);
        k->hash = db_get(have, i, 1);
        k->id = db_int(have, i, 2);
    }
    c.batch = json_array();
    /* Fields as question_row allows them, with room to report, not crash. */
    csv_limits_t lim = { .max_fields = 64, .max_field_bytes = 16 * 1024, .max_record_bytes = 128 * 1024 };
    int n = csv_parse(data, len, &lim, on_row, &c);
    if (!c.store_err && c.have_header && flush(&c) < 0)
        c.store_err = 1;
    json_decref(c.batch);
    if (c.store_err)
        return -1;
    if (!c.have_header) {
        if (!res->error[0])
            snprintf(res->error, sizeof res->error, "the file has no header row (type, category, stem, A-F, answer, explanation)");
        return -2;
    }
    if (n < 0 && n != CSV_ESTOPPED)
        return -1;
    if (progress)
        progress(pctx, c.lines, c.lines);
    return 0;
}

static json_t *import_json(const qimport_t *res)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:O,s:I}", "imported", (json_int_t)(res->created + res->updated),
                     "created", (json_int_t)res->created, "updated", (json_int_t)res->updated, "unchanged",
                     (json_int_t)res->unchanged, "attempts_rescored", (json_int_t)res->rescored, "rejected",
                     res->rejected, "rejected_total", (json_int_t)res->rejected_total);
}

int h_admin_questions_import(req_t *r)
{
    const char *data = r->body;
    size_t len = r->body_len;
    if (multipart_is_form(r->content_type)) {
        if (multipart_find_file(r->content_type, r->body, r->body_len, "file", &data, &len) < 0)
            return reply_error(r, 400, "invalid_csv", "the multipart body has no readable file part");
    }
    if (!len)
        return reply_error(r, 400, "invalid_csv", "the file is empty");
    qimport_t res;
    int rc = questions_import(req_db(r), req_kv(r), r->arena, data, len, session_caller(r)->organizer_id, &res, NULL, NULL);
    arena_json(r->arena, res.rejected);
    if (rc == -2)
        return reply_error(r, 400, "invalid_csv", res.error);
    if (rc < 0)
        return ST_STORE;
    log_info("question import by organizer %lld: %lld new, %lld updated, %lld unchanged, %lld rejected",
             session_caller(r)->organizer_id, res.created, res.updated, res.unchanged, res.rejected_total);
    /* the import's summary (each changed question has its own row) */
    json_t *sum = arena_json(r->arena, json_pack("{s:I,s:I,s:I,s:I}", "created", (json_int_t)res.created,
                                                 "updated", (json_int_t)res.updated,
                                                 "unchanged", (json_int_t)res.unchanged,
                                                 "rejected", (json_int_t)res.rejected_total));
    if (console_audit(req_db(r), session_caller(r)->organizer_id, "questions.import", "question_bank", 0, NULL, sum) < 0)
        log_warn("questions: the import's audit row could not be written");
    return reply_json(r, 200, import_json(&res));
}

/* reply_error, and ST_REPLIED for the caller to stop. */
static int replied(req_t *r, int status, const char *code, const char *message)
{
    reply_error(r, status, code, message);
    return ST_REPLIED;
}

/* The stored question cur with the body j over it: f[11] gets the row in
 * the import's columns (checked by the import's rules next), *active the
 * state. Returns ST_OK, or ST_REPLIED after a 400 invalid_question. */
static int merge_fields(req_t *r, json_t *j, const db_res_t *cur, const char *f[11], int *active)
{
    static const char *const known[] = { "category", "stem", "options", "answer", "explanation", "active", NULL };
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= strcmp(known[k], key) == 0;
        if (!ok)
            return replied(r, 400, "invalid_question", arena_sprintf(r->arena, "%s: not a field of a question"
                                                                                    " (the type cannot change)", key));
    }
    const char *init[11] = { db_get(cur, 0, 2), db_get(cur, 0, 3), db_get(cur, 0, 4), "", "", "", "", "", "",
                             db_get(cur, 0, 6), db_get(cur, 0, 7) };
    memcpy(f, init, sizeof init);
    if (strcmp(f[0], "judge") == 0)
        f[9] = strcmp(f[9], "A") == 0 ? "对" : "错";
    json_t *opts = json_object_get(j, "options") ? json_object_get(j, "options")
                                                 : arena_json(r->arena, json_loads(db_get(cur, 0, 5), 0, NULL));
    if (!json_is_array(opts) || json_array_size(opts) > 6)
        return replied(r, 400, "invalid_question", "options: a list of at most 6 texts");
    if (strcmp(f[0], "judge") != 0)
        for (size_t i = 0; i < json_array_size(opts); i++) {
            f[3 + i] = req_text(json_array_get(opts, i));
            if (!f[3 + i])
                return replied(r, 400, "invalid_question", "options: a list of texts");
        }
    static const struct { const char *name; int col; } str_fields[] = {
        { "category", 1 }, { "stem", 2 }, { "answer", 9 }, { "explanation", 10 } };
    for (size_t i = 0; i < sizeof str_fields / sizeof str_fields[0]; i++) {
        json_t *sv = json_object_get(j, str_fields[i].name);
        if (!sv)
            continue;
        if (json_is_array(sv) && str_fields[i].col == 9) {   /* ["A", "C"] */
            char *joined = arena_alloc(r->arena, json_array_size(sv) * 8 + 1);
            for (size_t m = 0; m < json_array_size(sv); m++)
                strncat(joined, req_text(json_array_get(sv, m)) ?: "?", 7);
            f[9] = joined;
            continue;
        }
        if (!req_text(sv))
            return replied(r, 400, "invalid_question",
                               arena_sprintf(r->arena, "%s: a text", str_fields[i].name));
        f[str_fields[i].col] = req_text(sv);
    }
    *active = (int)db_int(cur, 0, 8);
    if ((v = json_object_get(j, "active"))) {
        if (!json_is_boolean(v))
            return replied(r, 400, "invalid_question", "active: true or false");
        *active = json_is_true(v);
    }
    return ST_OK;
}

/* PUT /admin/questions/{id}: {"category", "stem", "options": [...],
 * "answer", "explanation", "active"}, each optional. The type is fixed (a
 * different type is a different question). */
int h_admin_question_update(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "question_not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    db_res_t *cur = db_query(req_db(r), r->arena, "SELECT " QCOLS " FROM questions WHERE id = ?", "i", id);
    if (!cur)
        return ST_STORE;
    if (!cur->nrows)
        return reply_error(r, 404, "question_not_found", "no such question");
    const char *f[11];
    int active;
    int st = merge_fields(r, j, cur, f, &active);
    if (st != ST_OK)
        return st;
    /* The merged question as one CSV row, checked by the import's rules. */
    static const char *const header[] = { "type", "category", "stem", "A", "B", "C", "D", "E", "F", "answer",
                                          "explanation" };
    question_header_t h;
    char why[QROW_REASON_MAX];
    static _Thread_local question_row_t q;
    if (question_header_parse(&h, header, 11, why) < 0 || question_row_parse(&h, f, 11, &q, why) != 0)
        return reply_error(r, 400, "invalid_question", why[0] ? why : "an empty question");
    qstored_t s;
    stored_form(&q, &s);
    arena_cleanup_add(r->arena, free, (void *)s.options_json);
    int rescored = 0;
    db_res_t *same = db_query(req_db(r), r->arena, "SELECT content_hash = ? AND fingerprint = ? AND active = ?"
                                                   " FROM questions WHERE id = ?", "ssii", s.hash, s.fp,
                              (long long)active, id);
    if (!same)
        return ST_STORE;
    if (!db_int(same, 0, 0)) {
        int rc = apply_update_retry(req_db(r), req_kv(r), r->arena, id, &q, &s, active, "api", session_caller(r)->organizer_id,
                                    clock_now_s(), &rescored);
        if (rc == UPD_IN_USE)
            return reply_error(r, 409, "question_in_use",
                               "people have been shown this question; its number of options cannot change");
        if (rc == UPD_EXISTS)
            return reply_error(r, 409, "question_exists", "another question has this type and stem");
        if (rc < 0)
            return ST_STORE;
    }
    db_res_t *now = db_query(req_db(r), r->arena, "SELECT " QCOLS " FROM questions WHERE id = ?", "i", id);
    if (!now || !now->nrows)
        return ST_STORE;
    return reply_json(r, 200, json_pack("{s:o,s:i}", "question", question_admin_json(now, 0),
                                        "attempts_rescored", rescored));
}

/* ---- quizd import-questions FILE ---- */

static void print_progress(void *ctx, size_t line, size_t lines)
{
    (void)ctx;
    fprintf(stderr, "\rimporting: line %zu of %zu (%zu%%)", line, lines, lines ? line * 100 / lines : 100);
    fflush(stderr);
}

int cmd_import_questions(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: quizd import-questions FILE.csv\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    size_t cap = 1 << 20, len = 0;
    char *data = malloc(cap);
    for (size_t n; data && (n = fread(data + len, 1, cap - len, fp)) > 0;) {
        len += n;
        if (len == cap) {
            char *bigger = cap <= QUESTIONS_IMPORT_MAX_BODY * 4 ? realloc(data, cap * 2) : NULL;
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(fp);
    if (!data) {
        fprintf(stderr, "%s is too large\n", argv[1]);
        return 1;
    }
    db_t *db = db_new();
    kv_t *kv = kv_new();
    arena_t a;
    arena_init(&a);
    qimport_t res;
    int rc = questions_import(db, kv, &a, data, len, 0, &res, print_progress, NULL);
    fprintf(stderr, "\n");
    free(data);
    if (rc == -2) {
        fprintf(stderr, "%s: %s\n", argv[1], res.error);
    } else if (rc < 0) {
        fprintf(stderr, "database error: %s\n", db_error(db));
    } else {
        size_t i;
        json_t *e;
        json_array_foreach(res.rejected, i, e)
            printf("line %lld: %s\n", (long long)json_integer_value(json_object_get(e, "line")),
                   json_string_value(json_object_get(e, "reason")));
        printf("%lld new, %lld updated, %lld unchanged, %lld rejected, %lld attempt(s) rescored\n", res.created,
               res.updated, res.unchanged, res.rejected_total, res.rescored);
    }
    json_decref(res.rejected);
    arena_free(&a);
    kv_free(kv);
    db_free(db);
    return rc < 0 ? 1 : 0;
}
