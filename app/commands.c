/* commands.c: the application's subcommands of quizd (see server/main.h; app/main.c hands them over).
 * Each resource declares its commands in its own header. */
#include "app/app.h"
#include "handlers/handlers.h"
/* @includes */
#include "engines/boards/boards.h"
#include "handlers/units.h"
#include "handlers/questions.h"
#include "handlers/attempts.h"
#include "app/seed_demo.h"
#include "engines/accounts/organizers.h"
#include "engines/prizes/prizes.h"
#include "engines/accounts/accounts.h"

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
    { "paper-verify", "ATTEMPT_ID  draw the attempt's paper again from its seed and compare (exit 0 same)", cmd_paper_verify },
    { "seed-demo", "           demo data: sample bank, contests open now, units, people, scores", cmd_seed_demo },
    /* @boards */
    { "rebuild-boards", "[CONTEST_ID]  rebuild the leaderboards from MariaDB (progress on stdout)", cmd_rebuild_boards },
    { "check-boards", "[CONTEST_ID]  compare the leaderboards with MariaDB; exit 1 on any difference", cmd_check_boards },
    /* @prizes */
    { "draw-verify", "FILE SEED_HEX PUBLIC_VALUE  rerun a published draw from its candidate list", cmd_draw_verify },
    /* @privacy */
    { "purge-personal-data", "--contest ID  erase names, phones and WeChat ids purge_after_days after its end", cmd_purge_personal_data },
    { NULL, NULL, NULL },
};
