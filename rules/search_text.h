/* search_text.h: the text side of unit search (see engines/units/unit_search.c).
 *
 * Names and keywords are compared in a folded form, so that a keyword
 * typed with a full-width "（" or upper-case letters finds the name written
 * the other way. The index holds every pair of adjacent code points
 * ("bigram") of a folded name; a keyword's bigrams select candidates,
 * and a substring test on the folded name confirms them. */
#ifndef RULES_SEARCH_TEXT_H
#define RULES_SEARCH_TEXT_H

#include <stddef.h>

/* Two code points of at most 4 bytes each, and a NUL. */
#define RULES_GRAM_SIZE 9
/* How many of a keyword's bigrams the query joins: enough to make the
 * candidate set small, few enough to keep one fixed statement. */
#define RULES_SEARCH_GRAMS 4

/* Folds in to out: full-width ASCII forms U+FF01..U+FF5E become their
 * ASCII counterparts, the ideographic space U+3000 becomes ' ', ASCII
 * upper case becomes lower case; everything else is copied. Leading and
 * trailing spaces are dropped and inner runs of spaces become one.
 * Returns the number of code points written, or -1 (out = "") for NULL,
 * invalid UTF-8, or a result that does not fit in outsz. */
int rules_search_fold(const char *in, char *out, size_t outsz);

/* The bigrams of a folded keyword that a search joins on: all of them when
 * there are at most RULES_SEARCH_GRAMS distinct ones, else the first, the
 * last and two evenly spaced between (the substring test checks the
 * rest). Duplicates are dropped; the order is the keyword's.
 * Returns how many were written (1..RULES_SEARCH_GRAMS), or 0 when the
 * keyword has fewer than 2 code points or is not valid UTF-8. */
int rules_search_grams(const char *folded, char grams[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE]);

#endif
