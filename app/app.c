/* app.c: wires the application into the server: the session resolver, one
 * WeChat client per thread, and the background work. */
#include "app/app.h"
#include "handlers/handlers.h"
#include "engines/accounts/accounts.h"
#include "wx/wx_client.h"
#include "engines/reports/reports.h"

static void *wx_new(void) { return wx_client_new(); }
static void wx_free(void *p) { wx_client_free(p); }

int app_init(server_hooks_t *hooks)
{
    g_auth_resolve = session_resolve;
    g_route_admit = accounts_route_admit;
    hooks->thread_wx_new = wx_new;
    hooks->thread_wx_free = wx_free;
    hooks->background = app_background;
    hooks->start = rep_runners_start;
    hooks->stop = rep_runners_stop;
    return 0;
}
