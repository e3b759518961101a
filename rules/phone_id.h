/* phone_id.h: when two verified phone numbers are the same number (one
 * prize and one certificate per phone): WeChat may give "+8613812345678",
 * "8613812345678" or "13812345678" for one mainland mobile. */
#ifndef RULES_PHONE_ID_H
#define RULES_PHONE_ID_H

#include <stddef.h>

/* The number's canonical form into out (digits only; a mainland mobile
 * without its country code). Returns 0, or -1 when phone holds anything but
 * an optional leading '+' and 5..20 digits, or out is too small. */
int rules_phone_canonical(const char *phone, char *out, size_t outsz);

#endif
