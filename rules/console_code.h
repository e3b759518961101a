/* console_code.h: the one-time code a unit admin types into the web
 * console (POST /me/console-code, then POST /admin/login {"code"}).
 *
 * Eight symbols of a 32-letter alphabet without look-alikes (no 0/O, 1/I):
 * 40 bits, read aloud or typed from a phone screen without mistakes. With
 * a 10-minute life, single use and the per-address failure limit of
 * /admin/login, guessing one is hopeless (2^40 codes, ~20 tries a
 * quarter hour). */
#ifndef RULES_CONSOLE_CODE_H
#define RULES_CONSOLE_CODE_H

#define CONSOLE_CODE_LEN 8
#define CONSOLE_CODE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

/* Spell 40 random bits (5 bytes) as CONSOLE_CODE_LEN symbols + NUL. Every
 * symbol takes exactly 5 bits, so no symbol is likelier than another. */
void rules_console_code_make(const unsigned char rnd[5], char out[CONSOLE_CODE_LEN + 1]);

/* What a person typed → the canonical code: ASCII letters upper-cased,
 * spaces and '-' dropped. Returns 0 with out filled, or -1 (out = "") when
 * the rest is not exactly CONSOLE_CODE_LEN symbols of the alphabet. in may
 * be NULL. */
int rules_console_code_normalize(const char *in, char out[CONSOLE_CODE_LEN + 1]);

#endif
