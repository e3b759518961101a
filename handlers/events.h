/* events.h: lectures and activities (engines/reports/events.c).
 *
 *   GET  /events                          public list with sessions and status
 *   POST /admin/events, PUT /admin/events/{id}   organizers
 *   GET  /admin/qrcode/event/{id}         the check-in code, scene "e=<id>"
 *   POST /events/{id}/check-in            a registered user, while a session
 *                                         is open (event_grace_s around it)
 *   PUT  /units/{id}/events/{event_id}/attendance  the unit's admin (own
 *                                         members) or an organizer of the area */
#ifndef HANDLERS_EVENTS_H
#define HANDLERS_EVENTS_H

#include "server/request.h"

int h_events_list(req_t *r);
int h_admin_event_create(req_t *r);
int h_admin_event_update(req_t *r);
int h_event_qrcode(req_t *r);
int h_event_check_in(req_t *r);
int h_unit_event_attendance(req_t *r);

#endif
