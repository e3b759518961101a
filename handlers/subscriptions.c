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
    return prizes_subscribe(r, j);
}
