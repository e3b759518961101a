/* main.c: server_main(), the process's `main` once the application has
 * handed over its routes, commands and hooks (app/main.c):
 * `quizd [--config FILE] COMMAND [ARGS]`.
 *
 *   serve               run the FastCGI server (the default)
 *   migrate             apply pending schema migrations and exit
 *   routes              print the route table (method, pattern, flags)
 *   nginx-locations UP  print nginx locations whose body limits match the routes
 *   ...                 the application's commands (app/commands.c)
 */
#include "server/clock.h"
#include "server/config.h"
#include "server/db.h"
#include "server/log.h"
#include "server/main.h"
#include "server/migrate.h"
#include "server/router.h"
#include "server/server.h"

#include <mysql.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_migrate(void)
{
    db_t *db = db_new();
    int n = migrate_run(db, g_config.schema_dir);
    db_free(db);
    if (n < 0)
        return 1;
    printf("%d migration(s) applied\n", n);
    return 0;
}

static int cmd_serve(const server_app_t *app)
{
    if (g_config.migrate_on_start) {
        db_t *db = db_new();
        int n = migrate_run(db, g_config.schema_dir);
        db_free(db);
        if (n < 0) {
            log_error("migrations failed; not starting");
            return 1;
        }
    }
    server_hooks_t hooks = { 0 };
    if (app->init(&hooks) < 0)
        return 1;
    return server_run(&hooks) < 0 ? 1 : 0;
}

static void usage(const server_app_t *app)
{
    fprintf(stderr, "usage: quizd [--config FILE] COMMAND [ARGS]\n"
                    "  serve\n  migrate\n  nginx-locations UPSTREAM\n");
    for (const app_command_t *c = app->commands; c->name; c++)
        fprintf(stderr, "  %s %s\n", c->name, c->usage);
}

int server_main(int argc, char **argv, const server_app_t *app)
{
    router_set_routes(app->routes, app->nroutes);
    const char *config_path = getenv("QUIZ_CONFIG");
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--config") == 0) {
        config_path = argv[i + 1];
        i += 2;
    }
    const char *cmd = i < argc ? argv[i] : "serve";
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(app);
        return 0;
    }
    if (config_load(&g_config, config_path) < 0)
        return 2;
    if (log_open(strcmp(cmd, "serve") == 0 ? g_config.log_file : NULL) < 0) {
        fprintf(stderr, "cannot open log file %s\n", g_config.log_file);
        return 2;
    }
    if (clock_init(g_config.clock_offset_s, g_config.clock_fixed) < 0) {
        fprintf(stderr, "clock_fixed is not a valid time\n");
        return 2;
    }
    /* Library-wide set-up, once, before any thread starts. */
    mysql_library_init(0, NULL, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc;
    if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(app);
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = cmd_migrate();
    } else if (strcmp(cmd, "routes") == 0) {
        /* METHOD PATTERN ROLES FLAGS, one route a line: tests walk this. */
        for (size_t k = 0; k < g_nroutes; k++)
            printf("%s %s %u\n", g_routes[k].method, g_routes[k].pattern, g_routes[k].flags);
        rc = 0;
    } else if (strcmp(cmd, "nginx-locations") == 0) {
        router_print_nginx(i + 1 < argc ? argv[i + 1] : "quizd");
        rc = 0;
    } else {
        rc = -1;
        for (const app_command_t *c = app->commands; c->name; c++)
            if (strcmp(c->name, cmd) == 0) {
                server_hooks_t hooks = { 0 };
                app->init(&hooks);
                rc = c->run(argc - i, argv + i);
                break;
            }
        if (rc == -1) {
            usage(app);
            rc = 2;
        }
    }
    curl_global_cleanup();
    mysql_library_end();
    return rc;
}
