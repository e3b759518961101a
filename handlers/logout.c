/* logout.c: POST /api/v1/logout — the caller's token stops working
 * everywhere (MariaDB's session row and Redis's copy; session.h). */
#include "handlers/logout.h"
#include "handlers/handlers.h"
#include "engines/accounts/session.h"

int h_logout(req_t *r)
{
    int st = session_end(r, r->auth.token_hash);
    if (st != ST_OK)
        return st;
    return reply_raw(r, 204, "application/json; charset=utf-8", "", 0);
}
