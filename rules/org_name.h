/* org_name.h: what the name of a unit or organisation, a position and a
 * unit's contact phone may contain.
 *
 * Names of organisations (单位全称) are written with Chinese characters,
 * letters, digits and a handful of punctuation marks (brackets, dots,
 * dashes, 、 and &). Anything else — quotes, semicolons, '=', '%', '<' —
 * has no business in a registered name, so such text is refused rather
 * than stored and shown on boards and certificates. */
#ifndef RULES_ORG_NAME_H
#define RULES_ORG_NAME_H

#include <stddef.h>

/* 1 when s, already cleaned by rules_text_field (trimmed, length checked,
 * no control or invisible characters), uses only:
 *   - CJK ideographs (U+4E00..U+9FFF, Ext. A, Ext. B) and 〇 U+3007;
 *   - ASCII letters and digits, and their full-width forms;
 *   - the space U+0020 (never two in a row);
 *   - ( ) （ ） [ ] 【 】 《 》 〈 〉 “ ” · - － — – 、 . ． , ， & ＆ / ／
 * and holds at least one ideograph or letter. Else 0 (also for NULL). */
int rules_org_name_valid(const char *s);

/* A contact phone number as typed: an optional leading '+', then digits
 * with single '-' or ' ' between groups ("0351-1234567", "138 0013 8000",
 * "+86 13800138000"). Writes it without spaces (hyphens kept) to out.
 * Requires 5..20 digits in all. Returns the number of digits, or -1
 * (out = "") when the text breaks a rule or does not fit in outsz. */
int rules_contact_phone_clean(const char *in, char *out, size_t outsz);

#endif
