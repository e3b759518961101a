/* subscriptions.h: POST /me/subscriptions. */
#ifndef HANDLERS_SUBSCRIPTIONS_H
#define HANDLERS_SUBSCRIPTIONS_H

#include "server/request.h"

int h_me_subscriptions(req_t *r);

#endif
