/* cert_serial.h: certificate serial numbers that cannot be guessed or
 * forged: the first 12 bytes (24 lower-case hex digits) of
 * HMAC-SHA256(key, "cert-v1:<contest_id>:<user_id>"), with a key only the
 * server holds (derived from phone_key). A serial is valid only when a
 * stored certificate has it and its HMAC matches that certificate's
 * contest and person, so neither a guessed serial nor an edited row passes. */
#ifndef RULES_CERT_SERIAL_H
#define RULES_CERT_SERIAL_H

#include <stddef.h>

#define CERT_SERIAL_LEN 24

/* Writes the serial and a NUL into out[CERT_SERIAL_LEN + 1]. Returns 0 or -1. */
int rules_cert_serial(const unsigned char *key, size_t keylen, long long contest_id, long long user_id,
                      char out[CERT_SERIAL_LEN + 1]);
/* 1 when s is 24 lower-case hex digits, else 0. */
int rules_cert_serial_format(const char *s);
/* 1 when serial is the one of (contest_id, user_id) under key (constant time). */
int rules_cert_serial_check(const unsigned char *key, size_t keylen, const char *serial, long long contest_id,
                            long long user_id);

#endif
