/* credit_code.h: the unified social credit code (统一社会信用代码) of
 * GB 32100-2015, 18 characters, the last a check character. */
#ifndef RULES_CREDIT_CODE_H
#define RULES_CREDIT_CODE_H

/* Normalises and checks a credit code typed by a person: drops leading and
 * trailing ASCII spaces, upper-cases ASCII letters, then requires exactly
 * 18 characters from 0-9 A-H J-N P-R T U W-Y (the standard leaves out I, O,
 * S, V, Z) whose 18th is the check character of the first 17 (weights
 * 3^i mod 31; check = charset[(31 - sum % 31) % 31]).  Full-width
 * characters, inner spaces or dashes are refused, not converted.
 * Returns 0 with the 18 characters and a NUL in out, or -1 (out = ""). */
int rules_credit_code_normalize(const char *in, char out[19]);

#endif
