/* keys.h: sub-keys derived from the sealing key (phone_key_hex) with
 * HMAC-SHA256, one per purpose, so no new secret needs configuring: the
 * MAC over cached sessions (session.c) and the keyed hash that makes a
 * phone number unique without storing it in the clear (issue 14). */
#ifndef ACCOUNTS_KEYS_H
#define ACCOUNTS_KEYS_H

#include <stddef.h>

/* HMAC-SHA256(sub-key for purpose, msg) as 64 hex digits. Returns 0, or -1
 * when the sealing key is not configured. */
int accounts_mac_hex(const char *purpose, const char *msg, size_t len, char out[65]);
/* The keyed hash of a phone number (its digits; a leading 86 of a
 * 13-digit number dropped). */
int accounts_phone_hash(const char *phone, char out[65]);

#endif
