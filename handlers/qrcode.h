/* qrcode.h: the codes people scan.
 *
 *   GET /api/v1/units/{id}/qrcode           public (an <image src>): join this
 *                                           unit, scene "u=<id>"
 *   GET /api/v1/admin/qrcode/unit-registration  organizer: open unit
 *                                           registration, scene "reg=<contest_id>"
 *   GET /api/v1/admin/qrcode/event/{id}     organizer: check in to an event,
 *                                           scene "e=<id>" (handlers/events.c)
 *
 * Both are WeChat mini-program codes from getwxacodeunlimit (the home
 * page, which reads the scene), cached in MariaDB (qr_codes) so the fleet
 * asks WeChat once per scene: a Redis lock (SET NX) lets one request ask
 * while the others wait for the cached row. When WeChat cannot be used —
 * not configured, failing, or failed for this scene within the last
 * minute — the reply is a standard QR code of the configured link
 * (qr_fallback_url + "?u=<id>" or "?reg=<id>") made locally; it is not
 * cached, so WeChat's code replaces it as soon as WeChat answers again. */
#ifndef QRCODE_H
#define QRCODE_H

#include "server/request.h"

int h_unit_qrcode(req_t *r);
int h_registration_qrcode(req_t *r);

/* Serve the code of scene (cache, WeChat, or the local code of
 * qr_fallback_url + "?<param>=<id>"), for other resources' codes.
 * Returns as a handler does. */
int qrcode_serve(req_t *r, const char *scene, const char *param, long long id);

#endif
