/* commands.c: the application's subcommands of quizd (see server/main.h; app/main.c hands them over).
 * Each resource declares its commands in its own header. */
#include "app/app.h"
#include "handlers/handlers.h"
/* @includes */
#include "engines/boards/boards.h"
#include "handlers/units.h"
#include "handlers/questions.h"
#include "app/seed_demo.h"
#include "engines/accounts/organizers.h"

const app_command_t g_app_commands[] = {
    /* @login */
    { "organizer-add", "USERNAME [--area CODE]  (password: QUIZ_NEW_PASSWORD or stdin)", cmd_organizer_add },
    { "organizer-list", "          organizer accounts, their areas and live sessions", cmd_organizer_list },
    { "organizer-disable", "USERNAME  disable the account; its sessions end at once", cmd_organizer_disable },
    { "organizer-password", "USERNAME  new password (as organizer-add); sessions end", cmd_organizer_password },
    /* @units */
    { "units-generate", "N [SEED]   N synthetic units with search bigrams (benchmarks)", cmd_units_generate },
    /* @quiz */
    { "import-questions", "FILE.csv   load or correct questions (progress on stderr)", cmd_import_questions },
    { "seed-demo", "           demo data: sample bank, contests open now, units, people, scores", cmd_seed_demo },
    /* @boards */
    { "rebuild-boards", "[CONTEST_ID]  rebuild the leaderboards from MariaDB (progress on stdout)", cmd_rebuild_boards },
    { "check-boards", "[CONTEST_ID]  compare the leaderboards with MariaDB; exit 1 on any difference", cmd_check_boards },
    { NULL, NULL, NULL },
};
