/* names.h: what a person's real name and a free-text field may contain.
 *
 * Both work on code points, not bytes, and both need strict UTF-8. */
#ifndef RULES_NAMES_H
#define RULES_NAMES_H

#include <stddef.h>

/* 1 when s is an acceptable real name (实名), else 0 (also for NULL).
 *
 * A real name is 2..20 code points, each one of:
 *   - a CJK ideograph: U+4E00..U+9FFF, Extension A U+3400..U+4DBF,
 *     Extension B U+20000..U+2A6DF (rare characters of real names);
 *   - an ASCII letter A-Z a-z;
 *   - the middle dot U+00B7 "·" that separates the parts of minority and
 *     transliterated names (阿卜杜拉·买买提), never first, never last, never
 *     two in a row.
 * Deliberately refused: spaces (also between Latin parts: write
 * "John·Smith"), look-alike dots (U+2022 •, U+30FB ・, U+FF0E ．, "."),
 * digits, punctuation, Extension C and later (not in the brief; widen here
 * if a participant needs one).  The name is not trimmed: pass it through
 * rules_text_field first. */
int rules_real_name_valid(const char *s);

/* Cleans a one-line free-text field (unit names 2..100, positions, org
 * names, contact names) and writes it to out.
 *
 * Trims leading and trailing whitespace (ASCII space, \t \n \v \f \r, and
 * the ideographic space U+3000); then requires: strict UTF-8; no control
 * character (so no tab or newline inside either); no invisible formatting
 * character (zero-width U+200B..U+200F, bidi embeddings and overrides
 * U+202A..U+202E and isolates U+2066..U+2069, U+2060..U+2064, BOM U+FEFF,
 * U+FFF9..U+FFFB), no line/paragraph separator U+2028/U+2029, no private
 * use U+E000..U+F8FF, no noncharacter; nothing outside the BMP except
 * CJK Extension B (so no emoji like U+1F600); and a length in code points
 * within [min_chars, max_chars].  Inner spaces are kept as they are.
 * Quotes, semicolons and the like are ordinary text: SQL and HTML safety
 * belong to the query parameters and the output encoder, not to this.
 *
 * Returns the number of code points written (>= 0), or -1 when s is NULL,
 * breaks a rule, or the trimmed text with its NUL does not fit in outsz;
 * out is then "" (when outsz > 0). */
int rules_text_field(const char *s, size_t min_chars, size_t max_chars,
                     char *out, size_t outsz);

#endif
