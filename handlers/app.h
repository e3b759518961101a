/* app.h: what the application gives the server process: its hooks, and
 * its command-line subcommands (organizer accounts, imports, boards). */
#ifndef APP_H
#define APP_H

#include "server/server.h"

typedef struct {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} app_command_t;

extern const app_command_t g_app_commands[];

/* Fill the server hooks and set g_auth_resolve. Returns 0 or -1. */
int app_init(server_hooks_t *hooks);

#endif
