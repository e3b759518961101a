/* logout.c: POST /api/v1/logout — the caller's token stops working
 * everywhere (MariaDB's session row and Redis's copy; session.h). */
#include "handlers/logout.h"
#include "handlers/handlers.h"
#include "engines/accounts/session.h"

int h_logout(req_t *r)
{
    int rc = session_end(r, r->auth.token_hash);
    if (rc < 0)
        return -1;
    if (rc == 1)
        log_warn("logout: Redis unreachable, a cached copy may outlive the session");
    return reply_raw(r, 204, "application/json; charset=utf-8", "", 0);
}
