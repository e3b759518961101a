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
    { "organizer-add", "USERNAME [AREA]  (password: QUIZ_NEW_PASSWORD or stdin)", cmd_organizer_add },
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
