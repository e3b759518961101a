/* main.h: what an application hands the server process. server/ knows no
 * route, role or command of its own: app/main.c passes them in. */
#ifndef SERVER_MAIN_H
#define SERVER_MAIN_H

#include <stddef.h>
#include "server/router.h"
#include "server/server.h"

/* A subcommand the application adds to `quizd`. */
typedef struct {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);   /* argv[0] is the command name */
} app_command_t;

typedef struct {
    const route_t *routes;               /* the route table */
    size_t nroutes;
    const app_command_t *commands;       /* ends with a NULL name */
    /* Fill the server hooks and set g_auth_resolve. Returns 0 or -1. */
    int (*init)(server_hooks_t *hooks);
} server_app_t;

/* `quizd [--config FILE] COMMAND [ARGS]`: serve, migrate, routes,
 * nginx-locations, or one of app->commands. Returns the exit status. */
int server_main(int argc, char **argv, const server_app_t *app);

#endif
