/* password.h: organizer passwords, Argon2id (libargon2, RFC 9106).
 *
 * Costs follow OWASP's Argon2id minimum: m = 19 MiB, t = 2, p = 1 (about
 * 40-90 ms of one core here). The costs are written into each hash, so
 * raising them later only affects new hashes; verification reads them
 * from the stored string.
 *
 * Verification is CPU- and memory-bound, so at most PASSWORD_PARALLEL run
 * at once per process (each holds m of memory); a caller that cannot get
 * a slot within PASSWORD_WAIT_MS is told to come back (503). */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stddef.h>

#define PASSWORD_T_COST 2
#define PASSWORD_M_COST_KIB 19456
#define PASSWORD_PARALLELISM 1
#define PASSWORD_MIN_LEN 10
#define PASSWORD_MAX_LEN 1024      /* longer input is refused before hashing */
#define PASSWORD_PARALLEL 2
#define PASSWORD_WAIT_MS 3000
#define PASSWORD_HASH_MAX 160      /* an encoded hash fits in this */

/* Hash with a fresh 16-byte salt into out (PASSWORD_HASH_MAX bytes).
 * Returns 0 or -1. */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]) __attribute__((warn_unused_result));

/* 1 when pw matches the encoded hash, 0 when not, -2 when no slot freed up
 * in time (overloaded). encoded NULL: verify against a dummy hash of the
 * same cost and return 0, so an unknown name costs what a known one does. */
int password_verify(const char *encoded, const char *pw, size_t len) __attribute__((warn_unused_result));

#endif
