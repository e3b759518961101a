/* export_videos.c: the safety-video works sent in on receipts of the
 * requester's area, one row per work, with the receipt's unit and contact
 * (phone masked: full numbers leave the server only in the winners'
 * payout list) and WeChat's verdict on the title. Pages of works by id. */
#include "engines/reports/reports_int.h"

#include <string.h>

#define PAGE 500

static const rep_col_t VIDEO_COLS[] = {
    { "回执编号", REP_INT, 10 }, { "报送单位", REP_TEXT, 30 }, { "联系人", REP_TEXT, 10 },
    { "联系电话", REP_TEXT, 14 }, { "作品标题", REP_TEXT, 30 }, { "抖音链接", REP_TEXT, 40 },
    { "作者", REP_TEXT, 10 }, { "作者单位", REP_TEXT, 30 }, { "奖项", REP_TEXT, 8 },
    { "标题审核", REP_TEXT, 8 }, { "地区", REP_TEXT, 12 },
};

static const char *award_name(const char *a)
{
    if (!a)
        return "";
    if (strcmp(a, "first") == 0)
        return "一等奖";
    if (strcmp(a, "second") == 0)
        return "二等奖";
    if (strcmp(a, "third") == 0)
        return "三等奖";
    return "优秀奖";
}

static const char *review_name(const char *r)
{
    if (r && strcmp(r, "pass") == 0)
        return "通过";
    if (r && strcmp(r, "review") == 0)
        return "待人工审核";
    if (r && strcmp(r, "rejected") == 0)
        return "已驳回";
    return "未检测";
}

int rep_write_videos(rep_run_t *run)
{
    const char *ar = run->who.area;
    const char *rg = rep_param_str(run->params, "region") ? rep_param_str(run->params, "region") : "";
    if (rep_sheet(run->book, "视频作品", VIDEO_COLS, (int)(sizeof VIDEO_COLS / sizeof VIDEO_COLS[0])) < 0)
        return -1;
    long long after = 0;
    for (;;) {
        arena_reset(run->arena);
        db_res_t *res = db_query(run->db, run->arena,
            "SELECT i.id, r.id, r.unit_name, r.contact_name, r.contact_phone_masked, i.title, i.url,"
            " i.author, i.author_unit, i.award, i.content_review, g.name"
            " FROM video_items i JOIN video_receipts r ON r.id = i.receipt_id"
            " LEFT JOIN regions g ON g.code = r.region_code"
            " WHERE" REP_AREA("r")
            " AND (? = '' OR r.province_code = ? OR r.city_code = ? OR r.county_code = ?)"
            " AND i.id > ? ORDER BY i.id LIMIT 500",
            "ssssssssi", ar, ar, ar, ar, rg, rg, rg, rg, after);
        if (!res)
            return -1;
        for (size_t i = 0; i < res->nrows; i++) {
            rep_book_t *b = run->book;
            rep_int(b, db_int(res, i, 1));
            for (int c = 2; c <= 8; c++)
                rep_text(b, db_get(res, i, c));
            rep_text(b, award_name(db_get(res, i, 9)));
            rep_text(b, review_name(db_get(res, i, 10)));
            rep_text(b, db_get(res, i, 11));
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
