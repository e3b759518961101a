/* utf8.h: strict UTF-8 decoding and the checks built on it.
 *
 * "Strict" is RFC 3629: shortest form only (no overlongs such as C0 80),
 * no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
 * truncated sequences.  Predicates return 1 (true) or 0 (false). */
#ifndef RULES_UTF8_H
#define RULES_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point starting at s, reading at most len bytes.
 * Returns the number of bytes it takes (1..4) and sets *cp; returns -1
 * and sets *cp to U+FFFD when the bytes there are not strict UTF-8 or
 * len is 0.  cp may be NULL. */
int rules_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* 1 when s[0..len) is entirely strict UTF-8 (NUL bytes count as U+0000
 * and are valid here; rules_has_control catches them), else 0.  NULL
 * with len 0 is valid. */
int rules_utf8_valid(const char *s, size_t len);

/* Code points in the NUL-terminated s; each byte of an invalid sequence
 * counts as one (as a U+FFFD-substituting display would show it).
 * NULL counts 0. */
size_t rules_utf8_count(const char *s);

/* 1 when the NUL-terminated s holds a control character (Unicode Cc):
 * C0 U+0001..U+001F (tab and newline included), DEL U+007F, or C1
 * U+0080..U+009F; else 0.  Invalid sequences are skipped, not judged:
 * check rules_utf8_valid first. */
int rules_has_control(const char *s);

#endif
