/* export_units.c: the units of the requester's area with their counts in a
 * contest: staff registered, five-into members under the unit, staff who
 * answered and the participation rate (RULES.md: answered staff ÷
 * headcount, at most 1). Pages of units by id. */
#include "engines/reports/reports_int.h"

#include <string.h>

#define PAGE 500

static const rep_col_t UNIT_COLS[] = {
    { "单位ID", REP_INT, 8 }, { "单位名称", REP_TEXT, 36 }, { "统一社会信用代码", REP_TEXT, 20 },
    { "类型", REP_TEXT, 14 }, { "省", REP_TEXT, 10 }, { "市", REP_TEXT, 12 }, { "县（区）", REP_TEXT, 12 },
    { "职工人数", REP_INT, 8 }, { "已注册职工", REP_INT, 8 }, { "五进人员", REP_INT, 8 },
    { "参与职工", REP_INT, 8 }, { "参与率", REP_PCT, 8 }, { "注册时间", REP_TIME, 19 },
};

const char *rep_unit_type_name(const char *type)
{
    if (!type)
        return "";
    if (strcmp(type, "water_admin") == 0)
        return "水行政主管部门";
    if (strcmp(type, "water_enterprise") == 0)
        return "水利企事业单位";
    return "其他";
}

int rep_write_units(rep_run_t *run)
{
    long long cid = rep_param_int(run->params, "contest_id", 0);
    const char *ar = run->who.area;
    const char *rg = rep_param_str(run->params, "region") ? rep_param_str(run->params, "region") : "";
    if (rep_sheet(run->book, "单位", UNIT_COLS, (int)(sizeof UNIT_COLS / sizeof UNIT_COLS[0])) < 0)
        return -1;
    long long after = 0;
    for (;;) {
        arena_reset(run->arena);
        db_res_t *res = db_query(run->db, run->arena,
            "SELECT u.id, u.name, u.credit_code, u.type, rp.name, rc.name, rn.name, u.headcount,"
            " (SELECT COUNT(*) FROM profiles p WHERE p.board_unit_id = u.id AND p.kind = 'staff'),"
            " (SELECT COUNT(*) FROM profiles p WHERE p.board_unit_id = u.id AND p.kind = 'five_into'),"
            " (SELECT COUNT(*) FROM profiles p JOIN contest_scores s ON s.contest_id = ? AND s.user_id = p.user_id"
            "   WHERE p.board_unit_id = u.id AND p.kind = 'staff'),"
            " u.created_at"
            " FROM units u LEFT JOIN regions rp ON rp.code = u.province_code"
            " LEFT JOIN regions rc ON rc.code = u.city_code LEFT JOIN regions rn ON rn.code = u.county_code"
            " WHERE u.disabled = 0 AND u.merged_into IS NULL AND" REP_AREA("u")
            " AND (? = '' OR u.province_code = ? OR u.city_code = ? OR u.county_code = ?)"
            " AND u.id > ? ORDER BY u.id LIMIT 500",
            "issssssssi", cid, ar, ar, ar, ar, rg, rg, rg, rg, after);
        if (!res)
            return -1;
        for (size_t i = 0; i < res->nrows; i++) {
            rep_book_t *b = run->book;
            rep_int(b, db_int(res, i, 0));
            rep_text(b, db_get(res, i, 1));
            rep_text(b, db_get(res, i, 2));
            rep_text(b, rep_unit_type_name(db_get(res, i, 3)));
            for (int c = 4; c <= 6; c++)
                rep_text(b, db_get(res, i, c));
            long long head = db_int(res, i, 7), part = db_int(res, i, 10);
            rep_int(b, head);
            rep_int(b, db_int(res, i, 8));
            rep_int(b, db_int(res, i, 9));
            rep_int(b, part);
            rep_num(b, head > 0 ? (part >= head ? 1.0 : (double)part / (double)head) : 0.0);
            rep_time(b, db_int(res, i, 11));
            if (rep_row_end(b) < 0)
                return run->fail_reason = "the export file could not be written", -1;
            run->rows++;
        }
        if (res->nrows < PAGE)
            break;
        after = db_int(res, res->nrows - 1, 0);
        if (rep_progress(run, 0.5) < 0)
            return -1;
    }
    return 0;
}
