/* mask.h: how other people's names and phone numbers appear in public
 * lists (API.md: 张*, 欧阳**, 138****5678).
 *
 * Both always write a NUL-terminated string when outsz > 0 and never copy
 * more of the input than the rule shows; if out is too small the result
 * is cut at a character boundary. */
#ifndef RULES_MASK_H
#define RULES_MASK_H

#include <stddef.h>

/* Keeps the surname and writes one '*' for every other code point:
 * 张三 -> 张*, 张三丰 -> 张**, 欧阳修 -> 欧阳*, 欧阳娜娜 -> 欧阳**.
 * A compound surname (欧阳, 司马, 诸葛, ... see the table in mask.c) is
 * kept whole only when the name has at least 3 code points (司马 alone is
 * read as surname 司).  A one-character name becomes itself + '*'.
 * A name starting with an ASCII letter keeps that letter only
 * (John·Smith -> J*********).  NULL, empty or invalid UTF-8 -> "*".
 * 64 bytes hold the mask of any name rules_real_name_valid accepts. */
void rules_mask_name(const char *name, char *out, size_t outsz);
/* The name kept for a person who withdrew (DELETE /me): shown as it is,
 * never masked, so everyone sees that the account was closed. */
#define RULES_ERASED_NAME "\xe5\xb7\xb2\xe6\xb3\xa8\xe9\x94\x80"   /* 已注销 */

/* 13812345678 -> 138****5678.  A leading "+86" (or "86" in front of an
 * 11-digit mainland mobile number, 861xxxxxxxxxx) is dropped first;
 * spaces and '-' between digits are ignored.  Then, by digit count n:
 *   n >= 11: first 3, '*' x (n - 7), last 4;
 *   6 <= n <= 10: first 3, '*' x (n - 5), last 2;
 *   1 <= n <= 5: all '*' (keeping 5 would show the whole number).
 * Anything else (letters, empty, NULL) -> "****". */
void rules_mask_phone(const char *phone, char *out, size_t outsz);

#endif
