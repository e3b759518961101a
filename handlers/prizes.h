/* prizes.h: the draw and winners routes (engines/prizes does the work). */
#ifndef HANDLERS_PRIZES_H
#define HANDLERS_PRIZES_H

#include "server/request.h"

int h_draw_commit(req_t *r);
int h_draw_freeze(req_t *r);
int h_draw_reveal(req_t *r);
int h_contest_winners(req_t *r);
int h_admin_contest_winners(req_t *r);
int h_draw_candidates(req_t *r);

#endif
