/* main.c: quizd, the contest's backend: the server process (server/)
 * handed this application's routes, commands and wiring. */
#include "app/app.h"

int main(int argc, char **argv)
{
    const server_app_t app = {
        .routes = app_routes,
        .nroutes = app_nroutes,
        .commands = g_app_commands,
        .init = app_init,
    };
    return server_main(argc, argv, &app);
}
