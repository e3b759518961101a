/* organizers.h: organizer accounts from the command line. */
#ifndef ORGANIZERS_H
#define ORGANIZERS_H

/* `quizd organizer-add USERNAME [--area AREA]`: create the account, or set a new
 * password and area for an existing one (and enable it again). The
 * password comes from QUIZ_NEW_PASSWORD or the first line of stdin (typed
 * without echo on a terminal), never from the command line, where ps
 * would show it. AREA: empty or "all" for every region, else a region
 * code that exists. Exit status 0 done, 1 failed, 2 usage. */
int cmd_organizer_add(int argc, char **argv);

/* `quizd organizer-list`: id, name, area, state, live sessions. */
int cmd_organizer_list(int argc, char **argv);
/* `quizd organizer-disable USERNAME`: the account can no longer sign in
 * and its sessions end at once (rows and Redis copies). Recorded. */
int cmd_organizer_disable(int argc, char **argv);
/* `quizd organizer-password USERNAME`: a new password (as organizer-add
 * reads it); every session of the account ends. Recorded. */
int cmd_organizer_password(int argc, char **argv);

#endif
