/* my_data.c: what the prizes engine holds about one person, for GET /me/data
 * (PIPL access: everything held about the caller). */
#include "engines/prizes/prizes.h"

/* Rows of res as an array of objects: names[i] for column i; a column in
 * ints is a number, every other one text (NULL stays null). */
static json_t *rows_json(const db_res_t *res, const char *const *names, int ncols, unsigned ints)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        json_t *o = json_object();
        for (int c = 0; c < ncols; c++) {
            const char *v = db_get(res, i, c);
            json_object_set_new(o, names[c], !v ? json_null()
                                             : (ints >> c) & 1 ? json_integer(db_int(res, i, c))
                                                               : json_string(v));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

json_t *prizes_my_data(db_t *db, arena_t *a, long long user_id)
{
    static const char *const prize_cols[] = { "contest_id", "prize", "by_draw", "awarded_at", "name_masked",
                                              "unit_name" };
    static const char *const cert_cols[] = { "serial", "contest_id", "score", "hours", "issued_at", "real_name",
                                             "unit_name" };
    static const char *const receipt_cols[] = { "receipt_id", "unit_name", "contact_name", "contact_phone_masked",
                                                "created_at" };
    static const char *const item_cols[] = { "receipt_id", "title", "url", "author", "author_unit", "award" };
    static const char *const sub_cols[] = { "template", "accepted_at", "used_at" };
    db_res_t *prizes = db_query(db, a, "SELECT contest_id, prize_name, by_draw, created_at, name_masked, unit_name"
                                       " FROM prize_winners"
                                       " WHERE user_id = ? ORDER BY contest_id", "i", user_id);
    db_res_t *certs = db_query(db, a, "SELECT serial, contest_id, score, hours, issued_at, real_name, unit_name"
                                      " FROM certificates"
                                      " WHERE user_id = ? ORDER BY contest_id", "i", user_id);
    db_res_t *receipts = db_query(db, a, "SELECT id, unit_name, contact_name, contact_phone_masked, created_at"
                                         " FROM video_receipts WHERE user_id = ? ORDER BY id", "i", user_id);
    db_res_t *items = db_query(db, a, "SELECT i.receipt_id, i.title, i.url, i.author, i.author_unit, i.award"
                                      " FROM video_items i JOIN video_receipts r ON r.id = i.receipt_id"
                                      " WHERE r.user_id = ? ORDER BY i.receipt_id, i.seq", "i", user_id);
    db_res_t *subs = db_query(db, a, "SELECT template, accepted_at, used_at FROM subscriptions"
                                     " WHERE user_id = ? ORDER BY template", "i", user_id);
    if (!prizes || !certs || !receipts || !items || !subs)
        return NULL;
    return json_pack("{s:o,s:o,s:o,s:o,s:o}",
                     "prizes", rows_json(prizes, prize_cols, 6, 0xD),
                     "certificates", rows_json(certs, cert_cols, 7, 0x1E),
                     "video_receipts", rows_json(receipts, receipt_cols, 5, 0x11),
                     "video_items", rows_json(items, item_cols, 6, 0x1),
                     "subscriptions", rows_json(subs, sub_cols, 3, 0x6));
}
