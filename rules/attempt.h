/* attempt.h: the pure parts of an attempt — shuffling a question's
 * options, and mapping between the letters a person saw and the bank's
 * letters (API.md: options are lettered A, B, ... in the order shown;
 * judge questions are always A = 对, B = 错).
 *
 * A question's order as shown is a "perm": a string of the bank letters in
 * display order, "CADB" meaning the option shown as A is the bank's C, the
 * one shown as B is the bank's A, and so on. The attempt stores one perm per
 * question; nothing else about the shuffle needs keeping. */
#ifndef RULES_ATTEMPT_H
#define RULES_ATTEMPT_H

#include <stddef.h>
#include <stdint.h>

#define ATTEMPT_MAX_OPTIONS 6

/* Writes into perm (noptions letters and a NUL) a uniformly random order of
 * the bank letters A.. using rnd[0..noptions-1] (independent random words;
 * Fisher-Yates). keep_order writes "AB..." unchanged (judge questions).
 * Returns 0, or -1 (perm = "") when noptions is outside 1..6. */
int attempt_shuffle(int noptions, int keep_order, const uint32_t *rnd, char perm[ATTEMPT_MAX_OPTIONS + 1]);

/* 1 when perm is a permutation of the first strlen(perm) bank letters
 * (2..6 of them), else 0. Guards what comes back from the database. */
int attempt_perm_valid(const char *perm);

/* A person's choice for one question, as the letters they saw, into bank
 * letters, sorted (choice "C","A" under perm "BDAC" -> bank "AB").
 * letters: n strings, each exactly one upper-case letter among the shown
 * ones, none twice; single and judge questions (multiple = 0) take at most
 * one. n = 0 is allowed: the question was left unanswered (out = "").
 * Returns 0, or -1 with why set to a short reason (out = ""). */
int attempt_choice_to_bank(const char *perm, int multiple, const char *const *letters, size_t n,
                           char out[ATTEMPT_MAX_OPTIONS + 1], const char **why);

/* Bank letters (an answer key, "AC") into the letters shown under perm,
 * sorted. Returns 0, or -1 (out = "") for a letter that perm does not hold. */
int attempt_bank_to_shown(const char *perm, const char *bank, char out[ATTEMPT_MAX_OPTIONS + 1]);

#endif
