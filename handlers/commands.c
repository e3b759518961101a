/* commands.c: the application's subcommands of quizd (see server/main.c).
 * Each resource declares its commands in its own header. */
#include "handlers/app.h"
#include "handlers/handlers.h"
/* @includes */

const app_command_t g_app_commands[] = {
    /* @login */
    /* @units */
    /* @quiz */
    /* @boards */
    { NULL, NULL, NULL },
};
