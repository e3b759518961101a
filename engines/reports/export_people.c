/* export_people.c: the participants of a contest and a unit's members.
 *
 * Both read in pages of PAGE rows by primary key (keyset, never OFFSET),
 * resetting the arena between pages, so memory stays flat however many
 * rows there are. Rows come in user id order. Phone numbers are never
 * exported here; names are shown as the requester may see them: in full
 * to organizers and to a unit admin for the unit's own people (staff and
 * the five-into members under it), as GET /units/{id}/members shows them;
 * masked otherwise. */
#include "engines/reports/reports_int.h"
#include "rules/mask.h"

#include <string.h>

#define PAGE 2000

const char *rep_name_for(const rep_who_t *who, arena_t *a, const char *name, long long board_unit_id)
{
    if (who->organizer || (who->unit_id && board_unit_id == who->unit_id))
        return name;
    char *m = arena_alloc(a, 64);
    rules_mask_name(name, m, 64);
    return m;
}

static const rep_col_t PEOPLE_COLS[] = {
    { "用户ID", REP_INT, 8 }, { "姓名", REP_TEXT, 10 }, { "类别", REP_TEXT, 6 },
    { "单位ID", REP_INT, 8 }, { "单位", REP_TEXT, 36 }, { "省", REP_TEXT, 10 },
    { "市", REP_TEXT, 12 }, { "县（区）", REP_TEXT, 12 }, { "职务", REP_TEXT, 16 },
    { "单位主要负责人", REP_TEXT, 4 }, { "成绩", REP_INT, 6 }, { "答题次数", REP_INT, 6 },
    { "首次提交时间", REP_TIME, 19 }, { "成绩取得时间", REP_TIME, 19 },
};
#define NPEOPLE (int)(sizeof PEOPLE_COLS / sizeof PEOPLE_COLS[0])

/* Columns 0..13 of PEOPLE_COLS, then the person's own unit (staff) id. */
#define PEOPLE_SELECT \
    "SELECT p.user_id, p.real_name, p.kind, p.board_unit_id, u.name, rp.name, rc.name, rn.name," \
    " p.position, p.is_unit_leader, s.score, s.attempts_submitted, s.first_submitted_at, s.reached_at," \
    " IFNULL(p.unit_id, 0)" \
    " FROM profiles p LEFT JOIN units u ON u.id = p.board_unit_id" \
    " LEFT JOIN regions rp ON rp.code = p.province_code LEFT JOIN regions rc ON rc.code = p.city_code" \
    " LEFT JOIN regions rn ON rn.code = p.county_code"

static void person_row(rep_run_t *run, db_res_t *res, size_t i)
{
    rep_book_t *b = run->book;
    rep_int(b, db_int(res, i, 0));
    rep_text(b, rep_name_for(&run->who, run->arena, db_get(res, i, 1), db_int(res, i, 3)));
    rep_text(b, strcmp(db_get(res, i, 2), "staff") == 0 ? "职工" : "五进");
    rep_int(b, db_int(res, i, 3));
    for (int c = 4; c <= 8; c++)
        rep_text(b, db_get(res, i, c));
    rep_text(b, db_int(res, i, 9) ? "是" : "");
    if (db_get(res, i, 10)) {
        rep_int(b, db_int(res, i, 10));
        rep_int(b, db_int(res, i, 11));
    } else {
        rep_blank(b);
        rep_blank(b);
    }
    rep_time(b, db_int(res, i, 12));
    rep_time(b, db_int(res, i, 13));
}

/* Filters of the participants export: contest, area, region, unit,
 * person kind, score range. 15 parameters after the contest id. */
#define PART_WHERE \
    " WHERE s.contest_id = ? AND" REP_AREA("p") \
    " AND (? = '' OR p.province_code = ? OR p.city_code = ? OR p.county_code = ?)" \
    " AND (? = 0 OR p.board_unit_id = ?) AND (? = '' OR p.kind = ?) AND s.score >= ? AND s.score <= ?"
#define PART_TYPES "issssssssiissii"

int rep_write_participants(rep_run_t *run)
{
    json_t *pr = run->params;
    long long cid = rep_param_int(pr, "contest_id", 0), unit = rep_param_int(pr, "unit_id", 0);
    long long lo = rep_param_int(pr, "min_score", 0), hi = rep_param_int(pr, "max_score", 1LL << 40);
    const char *ar = run->who.area;
    const char *rg = rep_param_str(pr, "region") ? rep_param_str(pr, "region") : "";
    const char *pk = rep_param_str(pr, "person_kind") ? rep_param_str(pr, "person_kind") : "";
    if (rep_sheet(run->book, "参赛人员", PEOPLE_COLS, NPEOPLE) < 0)
        return -1;
    db_res_t *cnt = db_query(run->db, run->arena, "SELECT COUNT(*) FROM contest_scores s"
                             " JOIN profiles p ON p.user_id = s.user_id" PART_WHERE, PART_TYPES,
                             cid, ar, ar, ar, ar, rg, rg, rg, rg, unit, unit, pk, pk, lo, hi);
    if (!cnt)
        return -1;
    double total = (double)db_int(cnt, 0, 0);
    long long after = 0;
    for (;;) {
        arena_reset(run->arena);
        db_res_t *res = db_query(run->db, run->arena, PEOPLE_SELECT
                                 " JOIN contest_scores s ON s.user_id = p.user_id" PART_WHERE
                                 " AND s.user_id > ? ORDER BY s.user_id LIMIT 2000", PART_TYPES "i",
                                 cid, ar, ar, ar, ar, rg, rg, rg, rg, unit, unit, pk, pk, lo, hi, after);
        if (!res)
            return -1;
        for (size_t i = 0; i < res->nrows; i++) {
            person_row(run, res, i);
            if (rep_row_end(run->book) < 0)
                return run->fail_reason = "the export file could not be written", -1;
            run->rows++;
        }
        if (res->nrows < PAGE)
            break;
        after = db_int(res, res->nrows - 1, 0);
        if (rep_progress(run, total > 0 ? run->rows / total : 0) < 0)
            return -1;
    }
    return 0;
}

/* A unit's members: its staff and the five-into members it sponsors,
 * registered or not yet answering, with their score in the contest. */
int rep_write_members(rep_run_t *run)
{
    long long cid = rep_param_int(run->params, "contest_id", 0);
    long long unit = rep_param_int(run->params, "unit_id", 0);
    const char *ar = run->who.area;
    /* An organizer only for units of the area; a unit admin only their own
     * (already forced when the job was asked for). */
    db_res_t *u = db_query(run->db, run->arena, "SELECT 1 FROM units u WHERE u.id = ? AND" REP_AREA("u"),
                           "issss", unit, ar, ar, ar, ar);
    if (!u)
        return -1;
    if (!u->nrows || (!run->who.organizer && unit != run->who.unit_id))
        return run->fail_reason = "the unit is not in the requester's area", -1;
    if (rep_sheet(run->book, "单位成员", PEOPLE_COLS, NPEOPLE) < 0)
        return -1;
    long long after = 0;
    for (;;) {
        arena_reset(run->arena);
        db_res_t *res = db_query(run->db, run->arena, PEOPLE_SELECT
                                 " LEFT JOIN contest_scores s ON s.contest_id = ? AND s.user_id = p.user_id"
                                 " WHERE p.board_unit_id = ? AND p.user_id > ? ORDER BY p.user_id LIMIT 2000",
                                 "iii", cid, unit, after);
        if (!res)
            return -1;
        for (size_t i = 0; i < res->nrows; i++) {
            person_row(run, res, i);
            if (rep_row_end(run->book) < 0)
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
