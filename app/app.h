/* app.h: what the application gives the server process: its hooks, and
 * its command-line subcommands (organizer accounts, imports, boards). */
#ifndef APP_H
#define APP_H

#include "server/main.h"
#include "handlers/handlers.h"

extern const app_command_t g_app_commands[];
/* Fill the server hooks and set g_auth_resolve and g_route_admit.
 * Returns 0 or -1. */
int app_init(server_hooks_t *hooks);

/* background.c: the work a server does besides requests. */
void app_background(db_t *db, kv_t *kv);

#endif
