/* subscriptions.c: POST /me/subscriptions — the caller accepted a subscribe
 * message (wx.requestSubscribeMessage); engines/prizes/notices.c sends it. */
#include "handlers/subscriptions.h"
#include "engines/prizes/prizes.h"
#include "handlers/handlers.h"

int h_me_subscriptions(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    status_t rc = prizes_subscribe(req_db(r), r->auth.user_id, req_text(json_object_get(j, "template")));
    if (rc == ST_INVALID)
        return reply_error(r, 400, "invalid_parameter", "template: result, certificate or event");
    if (rc != ST_OK)
        return rc;
    reply_raw(r, 204, NULL, "", 0);
    return ST_OK;
}
