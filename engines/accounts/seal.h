/* seal.h: small secrets at rest (phone numbers, WeChat session keys,
 * remembered login replies), sealed with AES-256-GCM under the configured
 * phone_key (g_config.phone_key_hex, 64 hex digits).
 *
 * Results live in the request's arena; the malloc'd plaintext crypto_open()
 * makes is wiped and freed here, so no copy outlives the request except
 * the arena's own (reset, not wiped: keep plaintexts out of long-lived
 * memory by not copying them further). */
#ifndef SEAL_H
#define SEAL_H

#include "server/request.h"

/* Seal plain; *out is base64 text in the arena. Returns 0, or -1 (logged
 * once per process when phone_key_hex is not 64 hex digits). */
int seal_str(req_t *r, const char *plain, char **out) __attribute__((warn_unused_result));
/* Open what seal_str made. Returns 0 with *out in the arena, or -1 when
 * the key is wrong, the text was tampered with, or the key is missing. */
int unseal_str(req_t *r, const char *sealed, char **out) __attribute__((warn_unused_result));

/* The 32-byte key, or NULL when misconfigured (for callers without a
 * request, such as quizd subcommands). */
const unsigned char *seal_key(void);

#endif
