/* content_check.c: see content_check.h. */
#include "engines/wechat/content_check.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "engines/wechat/wxcall.h"

int content_check(req_t *r, long long user_id, const char *text, int *verdict)
{
    *verdict = CONTENT_UNCHECKED;
    db_res_t *res = db_query(req_db(r), r->arena, "SELECT openid FROM users WHERE id = ?", "i",
                             user_id);
    if (!res)
        return ST_STORE;
    const char *openid = db_get(res, 0, 0);
    if (!openid || !g_config.wx_appid[0] || !g_config.wx_base_url[0])
        return 0;
    /* The pool of stores is small and WeChat may take seconds. */
    req_release_stores(r);
    int suggest;
    wx_err_t err;
    if (wx_msg_sec_check(req_wx(r), wxcall_redis(r), openid, 1, text, &suggest, &err) < 0) {
        log_warn("content check not done (%s, errcode %d): accepted for review",
                 err.code ? err.code : "?", err.wx_errcode);
        return 0;
    }
    *verdict = suggest;
    return 0;
}

int content_review_add(req_t *r, const char *kind, long long subject_id, long long user_id,
                       const char *content, int verdict)
{
    if (verdict != WX_REVIEW && verdict != CONTENT_UNCHECKED)
        return 0;
    if (db_exec(req_db(r),
                "INSERT INTO content_reviews (kind, subject_id, user_id, content, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", "siissi", kind, subject_id, user_id,
                content, verdict == WX_REVIEW ? "review" : "unchecked",
                (long long)clock_now_s()) < 0)
        return ST_STORE;
    return 0;
}
