/* login_twins.h: requests of this process carrying a login code that
 * another of its requests is exchanging wait for that one's reply without
 * holding a thread.
 *
 * The first request with a code becomes the code's exchanger here; every
 * later one with the same code, while the exchange lasts, is parked
 * (server/park.h) on the exchanger's list and its slow-pool thread goes
 * on to other work at once. When the exchanger has its reply (the login,
 * the replayed login, WeChat's refusal, a 503: whatever it answered), it
 * sends every parked twin that same reply. So a code sent a hundred times
 * at once costs one slow thread and one WeChat call, and the twins get
 * what the login replay would have given them a moment later
 * (login_replay.h).
 *
 * Requests with the code in other server processes meet through the
 * replay's claim as before: each process has one exchanger per code, and
 * only it waits on another process's claim. */
#ifndef ACCOUNTS_LOGIN_TWINS_H
#define ACCOUNTS_LOGIN_TWINS_H

#include "server/request.h"

enum { TWIN_EXCHANGER = 0, TWIN_PARKED = 1 };

/* Join the code (sha256 hex) in flight here. TWIN_PARKED: r is parked and
 * will be answered by the exchanger; its handler replies nothing and
 * returns ST_OK. TWIN_EXCHANGER: r exchanges the code and must call
 * login_twins_done once it has replied, on every path. exchanger names
 * the exchange (an object of the login's that outlives its reply, which
 * a parked login's request does not): login_twins_done gives it again. */
int login_twins_join(req_t *r, const void *exchanger, const char *code_hash);

/* The exchanger's reply is made (reply: the exchanger's request, or the
 * copy a group's writer answers it with when it is parked): send it to
 * every twin parked on the code, and let the next request with it start
 * afresh. */
void login_twins_done(const void *exchanger, const req_t *reply, const char *code_hash);

#endif
