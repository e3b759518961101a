/* qrcode.c: see qrcode.h. */
#include "handlers/qrcode.h"
#include "engines/quiz/contest.h"
#include "handlers/handlers.h"
#include "lib/qr_png.h"
#include "engines/wechat/wxcall.h"
#include "wx/wx_client.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How long a failed WeChat call sends this scene to the local code. */
#define QR_FAIL_TTL_S 60
/* How long others wait for the request that is asking WeChat. */
#define QR_WAIT_MS 3000
#define QR_POLL_MS 100
#define QR_SCALE 8

/* Replies with the cached image of scene: ST_REPLIED when there was one,
 * ST_OK (nothing replied) when not, or ST_STORE. */
static int reply_cached(req_t *r, const char *scene)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT content_type, image FROM qr_codes WHERE scene = ?", "s", scene);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return 0;
    /* The code never changes: let clients and proxies keep it. */
    reply_header(r, "Cache-Control", "public, max-age=86400");
    reply_raw(r, 200, arena_strdup(r->arena, db_get(res, 0, 0)), db_get(res, 0, 1), res->lens[1]);
    return ST_REPLIED;
}

static int reply_local(req_t *r, const char *param, long long id)
{
    const char *base = g_config.qr_fallback_url;
    const char *link = arena_sprintf(r->arena, "%s%c%s=%lld", base, strchr(base, '?') ? '&' : '?',
                                     param, id);
    unsigned char *png;
    size_t len;
    if (qr_png_encode(link, QR_SCALE, &png, &len) < 0) {
        log_error("qrcode: local QR code failed");
        return -1;
    }
    /* Short: WeChat's code should replace it once WeChat answers again. */
    reply_header(r, "Cache-Control", "public, max-age=300");
    reply_raw(r, 200, "image/png", png, len);
    free(png);
    return 0;
}

static int wx_configured(void)
{
    return g_config.wx_base_url[0] && g_config.wx_appid[0] && g_config.wx_secret[0];
}

/* Serve the code for scene: cache, WeChat, or the local fallback for
 * <param>=<id>. */
static int serve(req_t *r, const char *scene, const char *param, long long id)
{
    int rc = reply_cached(r, scene);
    if (rc != ST_OK)
        return rc;
    if (!wx_configured())
        return reply_local(r, param, id);
    kv_t *kv = req_kv(r);
    redisReply *rep = kv_cmd(kv, r->arena, "EXISTS qr:fail:%s", scene);
    if (rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
        return reply_local(r, param, id);
    /* One asker per scene; with Redis down everyone asks (rare, harmless:
     * the insert below keeps the first image). */
    rep = kv_cmd(kv, r->arena, "SET qr:lock:%s 1 NX PX %d", scene, QR_WAIT_MS + 7000);
    if (rep && rep->type == REDIS_REPLY_NIL) {
        for (int waited = 0; waited < QR_WAIT_MS; waited += QR_POLL_MS) {
            req_release_stores(r);
            usleep(QR_POLL_MS * 1000);
            rc = reply_cached(r, scene);
            if (rc != ST_OK)
                return rc;
            rep = kv_cmd(req_kv(r), r->arena, "EXISTS qr:fail:%s", scene);
            if (rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
                break;   /* the asker failed: no image is coming */
        }
        return reply_local(r, param, id);
    }
    /* The asker before us may have stored its image and let the lock go
     * between our first look and our lock: look again before asking. */
    rc = reply_cached(r, scene);
    if (rc != ST_OK) {
        kv_cmd(req_kv(r), r->arena, "DEL qr:lock:%s", scene);
        return rc;
    }

    req_release_stores(r);   /* WeChat may take seconds; the pool is small */
    unsigned char *img = NULL;
    size_t len = 0;
    char ctype[32];
    wx_err_t err;
    rc = wx_get_wxacode(req_wx(r), wxcall_redis(r), scene, NULL, 1, &img, &len, ctype, &err);
    if (rc < 0) {
        log_warn("qrcode: WeChat code for a %s scene failed (%s, errcode %d); local code for %ds",
                 param, err.code ? err.code : "?", err.wx_errcode, QR_FAIL_TTL_S);
        kv_cmd(req_kv(r), r->arena, "SET qr:fail:%s 1 EX %d", scene, QR_FAIL_TTL_S);
        kv_cmd(req_kv(r), r->arena, "DEL qr:lock:%s", scene);
        return reply_local(r, param, id);
    }
    /* Keep the first image if two servers raced (Redis down). */
    if (db_exec(req_db(r),
                "INSERT INTO qr_codes (scene, content_type, image, created_at) VALUES (?, ?, ?, ?)"
                " ON DUPLICATE KEY UPDATE scene = scene",
                "ssbi", scene, ctype, img, len, (long long)clock_now_s()) < 0)
        log_warn("qrcode: could not cache the code (db %d)", db_errno(req_db(r)));
    kv_cmd(req_kv(r), r->arena, "DEL qr:lock:%s", scene);
    reply_header(r, "Cache-Control", "public, max-age=86400");
    reply_raw(r, 200, arena_strdup(r->arena, ctype), img, len);
    free(img);
    return 0;
}

int qrcode_serve(req_t *r, const char *scene, const char *param, long long id)
{
    return serve(r, scene, param, id);
}

int h_unit_qrcode(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT 1 FROM units WHERE id = ? AND disabled = 0", "i", id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return reply_error(r, 404, "unit_not_found", "no such unit");
    char scene[40];
    snprintf(scene, sizeof scene, "u=%lld", id);
    return serve(r, scene, "u", id);
}

int h_registration_qrcode(req_t *r)
{
    contest_t c;
    int rc = contest_from_request(r, NULL, &c);
    if (rc != ST_OK)
        return rc;
    char scene[40];
    snprintf(scene, sizeof scene, "reg=%lld", c.id);
    return serve(r, scene, "reg", c.id);
}
