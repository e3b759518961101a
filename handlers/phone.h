/* phone.h: POST /api/v1/me/phone — the user's phone number from WeChat. */
#ifndef PHONE_H
#define PHONE_H

#include "server/request.h"

/* R_USER | R_SLOW. {"code"} (getPhoneNumber button, via
 * getuserphonenumber) or, from older clients, {"encrypted_data", "iv"}
 * (decrypted with the session key of the user's latest login) → 200
 * {"phone_masked"}. The number is kept sealed and masked, never in clear.
 * Errors: as /login; 400 invalid_encrypted_data when the data does not
 * decrypt under a key WeChat still holds current; 401 relogin_required
 * when the stored session key is no longer the user's current one. */
int h_me_phone(req_t *r);

#endif
