/* contests.h: the contest routes.
 *
 *   GET  /contests               open and upcoming contests (public)
 *   GET  /contests/current       one contest: ?contest_id, else the main one
 *   POST /admin/contests         create (organizer)
 *   PUT  /admin/contests/{id}    change settings (organizer)
 *
 * Contest settings are data (table contests), never code: windows, paper,
 * points, time limit, daily cap, score rule, certificate and prize
 * settings. Only an organizer for the whole country (area "") may change
 * them, since a contest is not one region's. */
#ifndef CONTESTS_H
#define CONTESTS_H

#include "server/request.h"

int h_contests_list(req_t *r);
int h_contest_current(req_t *r);
int h_admin_contest_create(req_t *r);
int h_admin_contest_update(req_t *r);

/* Largest paper: questions per attempt, and entries (categories). */
#define CONTEST_MAX_QUESTIONS 200
#define CONTEST_MAX_PAPER_ENTRIES 16

#endif
