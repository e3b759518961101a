/* web_sessions.c: see web_sessions.h. */
#include "handlers/web_sessions.h"
#include "handlers/handlers.h"
#include "engines/websession/websession.h"
#include "engines/wechat/wxcall.h"
#include "lib/qr_png.h"
#include "wx/wx_client.h"

#include <stdlib.h>
#include <string.h>

#define QR_SCALE 8
/* After WeChat failed, every web code is made locally for this long. */
#define QR_FAIL_TTL_S 60

static const char *addr_of(req_t *r)
{
    return r->remote_addr && *r->remote_addr ? r->remote_addr : "-";
}

/* The optional body's purpose: 0 with *p set, or -1 after a 400. No
 * body (what the quiz page sends) is a quiz sign-in. */
static int purpose_of(req_t *r, ws_purpose_t *p)
{
    *p = WS_FOR_QUIZ;
    if (r->body_len == 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return -1;
    json_t *v = json_object_get(j, "purpose");
    const char *s = v ? req_text(v) : "quiz";
    if (s && !strcmp(s, "console"))
        *p = WS_FOR_CONSOLE;
    else if (!s || strcmp(s, "quiz")) {
        reply_error(r, 400, "invalid_parameter", "purpose is \"quiz\" or \"console\"");
        return -1;
    }
    return 0;
}

int h_web_session_create(req_t *r)
{
    ws_purpose_t purpose;
    if (purpose_of(r, &purpose) < 0)
        return 0;
    const char *addr = addr_of(r);
    int wait = rl_take(r, "web-sess", addr, WEBSESSION_RL_LIMIT, WEBSESSION_RL_WINDOW_S);
    if (wait) {
        reply_header(r, "Retry-After", arena_sprintf(r->arena, "%d", wait > 0 ? wait : 1));
        return reply_error(r, 429, "rate_limited", "too many sign-in codes from this address; try again later");
    }
    char id[WEBSESSION_ID_LEN + 1], secret[64];
    status_t st = websession_create(r, purpose, id, secret);
    if (st != ST_OK)
        return st;
    json_t *body = json_pack("{s:s,s:s,s:s,s:i}", "session_id", id, "poll_secret", secret, "qrcode_url",
                             arena_sprintf(r->arena, "/api/v1/web/sessions/%s/qrcode", id), "expires_in",
                             WEBSESSION_TTL_S);
    reply_header(r, "Cache-Control", "no-store");
    return reply_json(r, 201, body);
}

int h_web_session_poll(req_t *r)
{
    const char *id = r->npv > 0 ? r->pv[0] : NULL;
    ws_state_t st;
    char token[64];
    long long unit = 0;
    status_t rc = websession_poll(r, id, req_query(r, "secret"), &st, token, &unit);
    if (rc != ST_OK)
        return rc;
    if (st == WS_NOT_FOUND)
        return reply_error(r, 404, "not_found", "no such sign-in, or not yours");
    static const char *const names[] = { [WS_PENDING] = "pending", [WS_CONFIRMED] = "confirmed",
                                         [WS_EXPIRED] = "expired" };
    json_t *body = json_pack("{s:s}", "state", names[st]);
    if (token[0]) {
        json_object_set_new(body, "token", json_string(token));
        json_object_set_new(body, "expires_in", json_integer(g_config.session_ttl_s));
        if (unit) {   /* the console's: what POST /admin/login answers for a code */
            json_object_set_new(body, "role", json_string("unit_admin"));
            json_object_set_new(body, "unit_id", json_integer(unit));
        }
        explicit_bzero(token, sizeof token);
    }
    reply_header(r, "Cache-Control", "no-store");
    return reply_json(r, 200, body);
}

int h_web_session_confirm(req_t *r)
{
    const char *id = r->npv > 0 ? r->pv[0] : NULL;
    ws_state_t state;
    status_t st = websession_confirm(r, id, r->auth.user_id, &state);
    if (st != ST_OK)
        return st;
    if (state == WS_NOT_FOUND)
        return reply_error(r, 404, "not_found", "no such sign-in");
    if (state == WS_FORBIDDEN)
        return reply_error(r, 403, "forbidden", "only a unit's admin may sign in to the console");
    if (state == WS_EXPIRED)
        return reply_error(r, 410, "expired", "this sign-in code has expired; refresh the page");
    return reply_raw(r, 204, "application/json; charset=utf-8", "", 0);
}

/* The standard QR code of qr_fallback_url?w=<id>, made here. */
static int reply_local(req_t *r, const char *id)
{
    const char *base = g_config.qr_fallback_url;
    const char *link = arena_sprintf(r->arena, "%s%cw=%s", base, strchr(base, '?') ? '&' : '?', id);
    unsigned char *png;
    size_t len;
    if (qr_png_encode(link, QR_SCALE, &png, &len) < 0) {
        log_error("web session: local QR code failed");
        return -1;
    }
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, 200, "image/png", png, len);
    free(png);
    return 0;
}

int h_web_session_qrcode(req_t *r)
{
    const char *id = r->npv > 0 ? r->pv[0] : NULL;
    status_t st = websession_is_pending(r, id);
    if (st < 0)
        return st;
    if (st == ST_NOT_FOUND)
        return reply_error(r, 404, "not_found", "no such sign-in waiting");
    if (!g_config.wx_base_url[0] || !g_config.wx_appid[0] || !g_config.wx_secret[0])
        return reply_local(r, id);
    redisReply *rep = kv_cmd(req_kv(r), r->arena, "EXISTS qr:fail:web");
    if (rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
        return reply_local(r, id);
    req_release_stores(r);   /* WeChat may take seconds; the pool is small */
    char scene[40], ctype[32];
    snprintf(scene, sizeof scene, "w=%s", id);
    unsigned char *img = NULL;
    size_t len = 0;
    wx_err_t err;
    if (wx_get_wxacode(req_wx(r), wxcall_redis(r), scene, NULL, 1, &img, &len, ctype, &err) < 0) {
        log_warn("web session: WeChat code failed (%s, errcode %d); local codes for %ds",
                 err.code ? err.code : "?", err.wx_errcode, QR_FAIL_TTL_S);
        kv_cmd(req_kv(r), r->arena, "SET qr:fail:web 1 EX %d", QR_FAIL_TTL_S);
        return reply_local(r, id);
    }
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, 200, arena_strdup(r->arena, ctype), img, len);
    free(img);
    return 0;
}
