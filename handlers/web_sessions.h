/* web_sessions.h: sign-in on the web quiz page by scanning
 * (engines/websession/websession.h says how it works).
 *
 *   POST /api/v1/web/sessions                public, limited per address:
 *                                            201 {session_id, poll_secret,
 *                                            qrcode_url, expires_in}; 429
 *   GET  /api/v1/web/sessions/{id}?secret=   public (the page polls): 200
 *                                            {state, token (once)}; 404 also
 *                                            for a wrong secret
 *   GET  /api/v1/web/sessions/{id}/qrcode    public (<img src>): the code of
 *                                            scene "w=<id>" while pending
 *   POST /api/v1/me/web-sessions/{id}/confirm  R_USER: 204; 404; 410 expired
 *
 * The code is WeChat's mini-program code (getwxacodeunlimit) like the unit
 * codes (qrcode.h), with the same local fallback (qr_fallback_url +
 * "?w=<id>") when WeChat cannot be used; it is never cached, since each
 * is shown once for two minutes. A person who has not registered may
 * confirm: the page then signs them in and shows the registration form. */
#ifndef WEB_SESSIONS_H
#define WEB_SESSIONS_H

#include "server/request.h"

int h_web_session_create(req_t *r);
int h_web_session_poll(req_t *r);
int h_web_session_qrcode(req_t *r);
int h_web_session_confirm(req_t *r);

#endif
