/* export_winners.c: a contest's prize winners as the payout list, for
 * nationwide organizers only (jobs.c refuses anyone else): real name in
 * full and the verified phone number in full, unsealed here. This is the
 * one export, and the one place outside the owner's own view, where a
 * phone number appears; a winner whose phone was not verified at the draw
 * gets an empty number and 待核实. */
#include "engines/reports/reports_int.h"
#include "lib/crypto.h"
#include "server/config.h"

#include <stdlib.h>
#include <string.h>

static const rep_col_t WINNER_COLS[] = {
    { "奖项", REP_TEXT, 16 }, { "组别序号", REP_INT, 6 }, { "产生方式", REP_TEXT, 8 },
    { "名次", REP_INT, 6 }, { "用户ID", REP_INT, 10 }, { "姓名", REP_TEXT, 10 },
    { "单位", REP_TEXT, 30 }, { "地区", REP_TEXT, 12 }, { "手机号", REP_TEXT, 14 },
    { "手机核实", REP_TEXT, 8 }, { "成绩", REP_INT, 6 },
};

/* The phone in full into the arena, or NULL (not verified or unreadable). */
static const char *phone_of(rep_run_t *run, const unsigned char *key, const char *sealed)
{
    char *plain = NULL;
    if (!sealed || !key || crypto_open(key, sealed, &plain) != 0)
        return NULL;
    const char *out = arena_strdup(run->arena, plain);
    explicit_bzero(plain, strlen(plain));
    free(plain);
    return out;
}

int rep_write_winners(rep_run_t *run)
{
    long long cid = rep_param_int(run->params, "contest_id", 0);
    unsigned char key[32];
    int have_key = crypto_hex_decode(g_config.phone_key_hex, key, sizeof key) == 0;
    if (rep_sheet(run->book, "获奖名单", WINNER_COLS, (int)(sizeof WINNER_COLS / sizeof WINNER_COLS[0])) < 0)
        return -1;
    arena_reset(run->arena);
    /* a contest's winners are a few hundred at most: one page */
    db_res_t *res = db_query(run->db, run->arena,
        "SELECT w.prize_name, w.prize_group, w.by_draw, w.position, w.user_id, IFNULL(p.real_name, w.name_masked),"
        " w.unit_name, COALESCE(rn.name, rc.name, rp.name, ''), us.phone_sealed, w.phone_verified, s.score"
        " FROM prize_winners w LEFT JOIN profiles p ON p.user_id = w.user_id"
        " LEFT JOIN users us ON us.id = w.user_id"
        " LEFT JOIN contest_scores s ON s.contest_id = w.contest_id AND s.user_id = w.user_id"
        " LEFT JOIN regions rp ON rp.code = p.province_code LEFT JOIN regions rc ON rc.code = p.city_code"
        " LEFT JOIN regions rn ON rn.code = p.county_code"
        " WHERE w.contest_id = ? ORDER BY w.prize_group, w.position",
        "i", cid);
    if (!res) {
        explicit_bzero(key, sizeof key);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < res->nrows && rc == 0; i++) {
        rep_book_t *b = run->book;
        rep_text(b, db_get(res, i, 0));
        rep_int(b, db_int(res, i, 1) + 1);
        rep_text(b, db_int(res, i, 2) ? "抽奖" : "排名");
        rep_int(b, db_int(res, i, 3));
        rep_int(b, db_int(res, i, 4));
        rep_text(b, db_get(res, i, 5));
        rep_text(b, db_get(res, i, 6));
        rep_text(b, db_get(res, i, 7));
        const char *phone = db_int(res, i, 9) ? phone_of(run, have_key ? key : NULL, db_get(res, i, 8)) : NULL;
        rep_text(b, phone ? phone : "");
        rep_text(b, phone ? "已核实" : "待核实");
        if (db_get(res, i, 10))
            rep_int(b, db_int(res, i, 10));
        else
            rep_blank(b);
        if (rep_row_end(b) < 0)
            rc = -1, run->fail_reason = "the export file could not be written";
        else
            run->rows++;
    }
    explicit_bzero(key, sizeof key);
    return rc;
}
