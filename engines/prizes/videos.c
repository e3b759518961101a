/* videos.c: the short-video collection — receipts from the public, the
 * organizers' list, counts per city and county, and awards. */
#include "engines/prizes/prizes.h"
#include "engines/wechat/content_check.h"
#include "engines/accounts/seal.h"
#include "engines/accounts/session.h"
#include "rules/douyin.h"
#include "rules/mask.h"
#include "rules/names.h"
#include "rules/phone_id.h"
#include "rules/score.h"
#include "server/clock.h"
#include "server/log.h"

#include <string.h>

#define VIDEO_MAX_ROWS 50

typedef struct {
    char title[201], url[DOUYIN_URL_MAX + 1], author[161], author_unit[401];
} vitem_t;

typedef struct {
    char unit[401], contact[81], phone[32];
    vitem_t *items;
    size_t n;
    const char *region, *province, *city, *county;
} receipt_t;

static status_t store_err(req_t *r)
{
    (void)r;
    return ST_STORE;
}

/* A check that failed: ST_INVALID with the contract's code and message. */
static status_t bad(prizes_why_t *why, const char *code, const char *msg)
{
    why->code = code;
    why->message = msg;
    return ST_INVALID;
}

/* A text member into out; -1 (nothing replied) when missing or not fitting. */
static int text(json_t *o, const char *name, size_t min, size_t max, char *out, size_t outsz)
{
    const char *s = req_text(json_object_get(o, name));
    return s && rules_text_field(s, min, max, out, outsz) >= 0 ? 0 : -1;
}

static int row_empty(json_t *e)
{
    static const char *const f[] = { "title", "url", "author", "author_unit", NULL };
    for (int k = 0; f[k]; k++) {
        const char *s = req_text(json_object_get(e, f[k]));
        if (s && s[strspn(s, " \t")])
            return 0;
    }
    return 1;
}

static status_t parse_items(req_t *r, json_t *a, long long max_items, receipt_t *rc, prizes_why_t *why)
{
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > (size_t)max_items)
        return bad(why, "invalid_parameter", arena_sprintf(r->arena, "items: 1 to %lld works", max_items));
    rc->n = json_array_size(a);
    rc->items = arena_alloc(r->arena, rc->n * sizeof *rc->items);
    for (size_t i = 0; i < rc->n; i++) {
        json_t *e = json_array_get(a, i);
        vitem_t *it = &rc->items[i];
        if (!json_is_object(e) || row_empty(e))
            return bad(why, "invalid_parameter", arena_sprintf(r->arena, "items[%zu]: an empty row", i));
        if (text(e, "title", 1, 50, it->title, sizeof it->title) < 0)
            return bad(why, "invalid_parameter", arena_sprintf(r->arena, "items[%zu].title: 1 to 50 characters", i));
        const char *url = req_text(json_object_get(e, "url"));
        if (rules_douyin_url(url, it->url, sizeof it->url) < 0)
            return bad(why, "invalid_video_url",
                       arena_sprintf(r->arena, "items[%zu].url: a Douyin link such as https://v.douyin.com/xxxxxxx/"
                                     " or https://www.douyin.com/video/<id>", i));
        if (text(e, "author", 1, 40, it->author, sizeof it->author) < 0)
            return bad(why, "invalid_parameter",
                       arena_sprintf(r->arena, "items[%zu].author: 1 to 40 characters", i));
        if (text(e, "author_unit", 2, 100, it->author_unit, sizeof it->author_unit) < 0)
            return bad(why, "invalid_parameter",
                       arena_sprintf(r->arena, "items[%zu].author_unit: 2 to 100 characters", i));
        for (size_t k = 0; k < i; k++)
            if (strcmp(rc->items[k].url, it->url) == 0)
                return bad(why, "invalid_video_url", arena_sprintf(r->arena, "items[%zu].url: the same video twice", i));
    }
    return ST_OK;
}

/* Where the receipt counts: the sender's profile region, else region_code. */
static status_t receipt_region(req_t *r, json_t *body, receipt_t *rc, prizes_why_t *why)
{
    db_res_t *p = db_query(req_db(r), r->arena, "SELECT region_code FROM profiles WHERE user_id = ?", "i",
                           r->auth.user_id);
    if (!p)
        return store_err(r);
    const char *code = req_text(json_object_get(body, "region_code"));
    if (p->nrows)
        code = db_get(p, 0, 0);
    db_res_t *g = code ? db_query(req_db(r), r->arena,
                                  "SELECT code, level, province_code, city_code FROM regions WHERE code = ?", "s", code)
                       : NULL;
    if (code && !g)
        return store_err(r);
    if (!g || !g->nrows)
        return bad(why, "invalid_region",
                   "region_code: the sender's region (a 6-digit code) is needed without a profile");
    rc->region = db_get(g, 0, 0);
    rc->province = db_get(g, 0, 2);
    rc->city = db_int(g, 0, 1) >= 2 ? (db_get(g, 0, 3) ? db_get(g, 0, 3) : rc->region) : NULL;
    rc->county = db_int(g, 0, 1) == 3 ? rc->region : NULL;
    return ST_OK;
}

typedef struct {
    req_t *r;
    const receipt_t *rc;
    const char *sealed, *masked;
    int verdict;
    long long id;
    prizes_why_t *why;
} receipt_tx_t;

/* One try of the receipt's transaction, run by db_tx (server/db.h): again
 * after a deadlock or a lock wait, which two receipts naming one video
 * (its unique url) can cause. */
static int receipt_tx(db_t *db, void *ctx)
{
    receipt_tx_t *x = ctx;
    const receipt_t *rc = x->rc;
    req_t *r = x->r;
    const char *review = x->verdict == WX_REVIEW ? "review" : x->verdict == CONTENT_UNCHECKED ? "unchecked" : "pass";
    long long n = db_exec(db, "INSERT INTO video_receipts (user_id, unit_name, contact_name, contact_phone_sealed,"
                          " contact_phone_masked, region_code, province_code, city_code, county_code, created_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "issssssssi", r->auth.user_id, rc->unit,
                          rc->contact, x->sealed, x->masked, rc->region, rc->province, rc->city, rc->county,
                          (long long)clock_now_s());
    x->id = db_last_id(db);
    for (size_t i = 0; n >= 0 && i < rc->n; i++) {
        const vitem_t *it = &rc->items[i];
        n = db_exec(db, "INSERT INTO video_items (receipt_id, seq, title, url, author, author_unit, content_review)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", "iisssss", x->id, (long long)i + 1, it->title, it->url,
                    it->author, it->author_unit, review);
        /* a title WeChat did not pass waits in the console's review queue */
        if (n >= 0 && content_review_add(r, "video_title", db_last_id(db), r->auth.user_id, it->title,
                                         x->verdict) != 0)
            n = -1;
        if (n < 0 && db_errno(db) == DB_ER_DUP_ENTRY) {
            x->why->code = "video_exists";
            x->why->message = arena_sprintf(r->arena, "items[%zu].url: this video was already submitted", i);
            return ST_CONFLICT;     /* db_tx rolls back */
        }
    }
    return n < 0 || db_commit(db) < 0 ? ST_STORE : ST_OK;
}

static status_t save_receipt(req_t *r, const receipt_t *rc, int verdict, long long *id, prizes_why_t *why)
{
    char *sealed, masked[32];
    if (seal_str(r, rc->phone, &sealed) < 0)
        return store_err(r);
    rules_mask_phone(rc->phone, masked, sizeof masked);
    receipt_tx_t x = { r, rc, sealed, masked, verdict, 0, why };
    status_t st = (status_t)db_tx(req_db(r), receipt_tx, &x);
    *id = x.id;
    return st;
}

/* The reply: the receipt and one mail subject per work. */
static json_t *receipt_json(long long id, const char *unit, const vitem_t *items, size_t n)
{
    json_t *subjects = json_array();
    for (size_t i = 0; i < n; i++) {
        char subj[800];
        rules_video_mail_subject(unit, items[i].title, subj, sizeof subj);
        json_array_append_new(subjects, json_string(subj));
    }
    return json_pack("{s:I,s:O,s:o}", "receipt_id", (json_int_t)id, "mail_subject", json_array_get(subjects, 0),
                     "mail_subjects", subjects);
}

/* A retry of a receipt this person already sent (same unit, same works in
 * the same order) gets that receipt again: ST_OK with *out set when it is
 * one (else *out stays NULL), or ST_STORE. */
static status_t repeat_of(req_t *r, const receipt_t *rc, json_t **out)
{
    db_res_t *v = db_query(req_db(r), r->arena,
                           "SELECT v.id, v.user_id, v.unit_name FROM video_items i JOIN video_receipts v"
                           " ON v.id = i.receipt_id WHERE i.url = ?", "s", rc->items[0].url);
    if (!v)
        return store_err(r);
    if (!v->nrows || db_int(v, 0, 1) != r->auth.user_id || strcmp(db_get(v, 0, 2), rc->unit) != 0)
        return ST_OK;
    db_res_t *it = db_query(req_db(r), r->arena, "SELECT title, url FROM video_items WHERE receipt_id = ?"
                            " ORDER BY seq", "i", db_int(v, 0, 0));
    if (!it)
        return store_err(r);
    if (it->nrows != rc->n)
        return ST_OK;
    for (size_t i = 0; i < rc->n; i++)
        if (strcmp(db_get(it, i, 0), rc->items[i].title) != 0 || strcmp(db_get(it, i, 1), rc->items[i].url) != 0)
            return ST_OK;
    *out = receipt_json(db_int(v, 0, 0), rc->unit, rc->items, rc->n);
    return ST_OK;
}

status_t prizes_video_submit(req_t *r, json_t *body, json_t **out, int *created, prizes_why_t *why)
{
    *out = NULL;
    *created = 0;
    db_res_t *s = db_query(req_db(r), r->arena, "SELECT opens_at, closes_at, max_items FROM video_settings"
                           " WHERE id = 1", "");
    if (!s || !s->nrows)
        return store_err(r);
    long long now = clock_now_s();
    if (now < db_int(s, 0, 0) || now > db_int(s, 0, 1)) {
        why->code = "submissions_closed";
        why->message = "the video collection is not open now";
        return ST_FORBIDDEN;
    }
    receipt_t rc = { 0 };
    if (text(body, "unit_name", 2, 100, rc.unit, sizeof rc.unit) < 0)
        return bad(why, "invalid_parameter", "unit_name: 2 to 100 characters");
    if (text(body, "contact_name", 2, 20, rc.contact, sizeof rc.contact) < 0)
        return bad(why, "invalid_parameter", "contact_name: 2 to 20 characters");
    if (rules_phone_canonical(req_text(json_object_get(body, "contact_phone")), rc.phone, sizeof rc.phone) < 0)
        return bad(why, "invalid_parameter", "contact_phone: 5 to 20 digits");
    long long max_items = VIDEO_MAX_ROWS < db_int(s, 0, 2) ? VIDEO_MAX_ROWS : db_int(s, 0, 2);
    status_t rv = parse_items(r, json_object_get(body, "items"), max_items, &rc, why);
    if (rv != ST_OK || (rv = repeat_of(r, &rc, out)) != ST_OK || *out)
        return rv;
    if ((rv = receipt_region(r, body, &rc, why)) != ST_OK)
        return rv;
    /* Titles and the unit's name are published: WeChat's content check first. */
    size_t cap = 512 + rc.n * 210;
    char *joined = arena_alloc(r->arena, cap);
    size_t used = (size_t)snprintf(joined, cap, "%s", rc.unit);
    for (size_t i = 0; i < rc.n; i++)
        used += (size_t)snprintf(joined + used, cap - used, "\n%s", rc.items[i].title);
    int verdict;
    if (content_check(r, r->auth.user_id, joined, &verdict) < 0)
        return store_err(r);
    if (verdict == WX_RISKY)
        return bad(why, "content_risky", "a title or the unit's name did not pass WeChat's content check");
    long long id;
    if ((rv = save_receipt(r, &rc, verdict, &id, why)) != ST_OK)
        return rv;
    log_info("video receipt %lld with %zu works", id, rc.n);
    *out = receipt_json(id, rc.unit, rc.items, rc.n);
    *created = 1;
    return ST_OK;
}

/* Area filter on video_receipts v: "ssss" (area ×4). */
#define AREA " (? = '' OR v.province_code = ? OR v.city_code = ? OR v.county_code = ?)"

status_t prizes_video_list(req_t *r, long long limit, long long offset, json_t **out)
{
    const char *a = session_caller(r)->area;
    db_res_t *t = db_query(req_db(r), r->arena, "SELECT COUNT(*) FROM video_items i JOIN video_receipts v"
                           " ON v.id = i.receipt_id WHERE" AREA, "ssss", a, a, a, a);
    db_res_t *res = t ? db_query(req_db(r), r->arena,
                                 "SELECT i.id, v.id, i.seq, i.title, i.url, i.author, i.author_unit, i.content_review,"
                                 " IFNULL(i.award, ''), v.unit_name, v.contact_name, v.contact_phone_masked,"
                                 " v.region_code, v.created_at FROM video_items i JOIN video_receipts v"
                                 " ON v.id = i.receipt_id WHERE" AREA " ORDER BY i.id LIMIT ? OFFSET ?",
                                 "ssssii", a, a, a, a, limit, offset)
                       : NULL;
    if (!res)
        return store_err(r);
    json_t *list = json_array();
    for (size_t k = 0; k < res->nrows; k++) {
        char iso[32];
        iso8601_format_shanghai(db_int(res, k, 13), iso);
        const char *award = db_get(res, k, 8);
        json_array_append_new(list, json_pack(
            "{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)db_int(res, k, 0),
            "receipt_id", (json_int_t)db_int(res, k, 1), "seq", (json_int_t)db_int(res, k, 2), "title",
            db_get(res, k, 3), "url", db_get(res, k, 4), "author", db_get(res, k, 5), "author_unit",
            db_get(res, k, 6), "content_review", db_get(res, k, 7), "award", *award ? award : NULL, "unit_name",
            db_get(res, k, 9), "contact_name", db_get(res, k, 10), "contact_phone_masked", db_get(res, k, 11),
            "region_code", db_get(res, k, 12), "submitted_at", iso));
    }
    *out = json_pack("{s:o,s:I}", "videos", list, "total", (json_int_t)db_int(t, 0, 0));
    return ST_OK;
}

status_t prizes_video_regions(req_t *r, int county, const char *parent, json_t **out)
{
    const char *a = session_caller(r)->area;
    /* Every region of the level (under parent when given) in the caller's
     * area, with its works, so that one that sent nothing shows 0. */
    const char *sql = county
        ? "SELECT g.code, g.name, COUNT(i.id), COUNT(DISTINCT v.id) FROM regions g"
          " LEFT JOIN video_receipts v ON v.county_code = g.code LEFT JOIN video_items i ON i.receipt_id = v.id"
          " WHERE g.level = 3 AND (? IS NULL OR g.parent_code = ?)"
          " AND (? = '' OR g.province_code = ? OR g.city_code = ? OR g.code = ?)"
          " GROUP BY g.code, g.name ORDER BY g.code LIMIT 5000"
        : "SELECT g.code, g.name, COUNT(i.id), COUNT(DISTINCT v.id) FROM regions g"
          " LEFT JOIN video_receipts v ON v.city_code = g.code LEFT JOIN video_items i ON i.receipt_id = v.id"
          " WHERE g.level = 2 AND (? IS NULL OR g.parent_code = ?)"
          " AND (? = '' OR g.province_code = ? OR g.code = ? OR g.code = ?)"
          " GROUP BY g.code, g.name ORDER BY g.code LIMIT 5000";
    db_res_t *res = db_query(req_db(r), r->arena, sql, "ssssss", parent, parent, a, a, a, a);
    if (!res)
        return store_err(r);
    json_t *list = json_array();
    for (size_t k = 0; k < res->nrows; k++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:I,s:b}", "region_code", db_get(res, k, 0), "name",
                                              db_get(res, k, 1), "works", (json_int_t)db_int(res, k, 2),
                                              "receipts", (json_int_t)db_int(res, k, 3), "meets_minimum",
                                              db_int(res, k, 2) >= 2));
    *out = json_pack("{s:s,s:i,s:o}", "level", county ? "county" : "city", "minimum", 2, "regions", list);
    return ST_OK;
}

static const char *const award_levels[] = { "first", "second", "third", "honourable", NULL };

typedef struct {
    req_t *r;
    long long item_id;
    int lv;                 /* index in award_levels, -1 to take the award away */
    prizes_why_t *why;
} award_tx_t;

/* One try of an award, run by db_tx (server/db.h): again after a deadlock
 * or a lock wait. The settings row is the lock that keeps two organizers
 * from passing one cap together. */
static int award_tx(db_t *db, void *ctx)
{
    award_tx_t *x = ctx;
    req_t *r = x->r;
    int lv = x->lv;
    db_res_t *s = db_query(db, r->arena, "SELECT first_count, second_count, third_count, honourable_count"
                           " FROM video_settings WHERE id = 1 FOR UPDATE", "");
    db_res_t *it = s ? db_query(db, r->arena, "SELECT id FROM video_items WHERE id = ?", "i", x->item_id) : NULL;
    db_res_t *used = it && lv >= 0 ? db_query(db, r->arena, "SELECT COUNT(*) FROM video_items WHERE award = ?"
                                              " AND id <> ?", "si", award_levels[lv], x->item_id) : NULL;
    if (!s || !s->nrows || !it || (lv >= 0 && !used))
        return ST_STORE;
    if (!it->nrows) {
        db_rollback(db);
        x->why->code = "not_found";
        x->why->message = "no such video";
        return ST_NOT_FOUND;
    }
    if (lv >= 0 && db_int(used, 0, 0) >= db_int(s, 0, (size_t)lv)) {
        x->why->code = "award_full";
        x->why->message = arena_sprintf(r->arena, "all %lld %s awards are given", db_int(s, 0, (size_t)lv),
                                        award_levels[lv]);
        return ST_CONFLICT;     /* db_tx rolls back */
    }
    if (db_exec(db, "UPDATE video_items SET award = ?, awarded_at = ?, awarded_by = ? WHERE id = ?", "siii",
                lv >= 0 ? award_levels[lv] : NULL, (long long)clock_now_s(), session_caller(r)->organizer_id,
                x->item_id) < 0 || db_commit(db) < 0)
        return ST_STORE;
    return ST_OK;
}

status_t prizes_video_award(req_t *r, long long item_id, json_t *body, json_t **out, prizes_why_t *why)
{
    json_t *v = json_object_get(body, "award");
    int lv = -1;
    for (int k = 0; award_levels[k] && json_is_string(v); k++)
        if (req_text(v) && strcmp(req_text(v), award_levels[k]) == 0)
            lv = k;
    if (!json_is_null(v) && lv < 0) {
        why->code = "invalid_parameter";
        why->message = "award: first, second, third, honourable or null";
        return ST_INVALID;
    }
    award_tx_t x = { r, item_id, lv, why };
    status_t st = (status_t)db_tx(req_db(r), award_tx, &x);
    if (st != ST_OK)
        return st;
    log_info("video %lld award %s by organizer %lld", item_id, lv >= 0 ? award_levels[lv] : "none", session_caller(r)->organizer_id);
    *out = json_pack("{s:I,s:s?}", "id", (json_int_t)item_id, "award", lv >= 0 ? award_levels[lv] : NULL);
    return ST_OK;
}
