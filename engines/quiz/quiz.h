/* quiz.h: the quiz engine — contests and what corrections do to results.
 *
 * It offers: loading a contest and deciding its windows by the server's
 * clock (contest.h), the start and submit transactions of an attempt
 * (start.h, submit.h), and rescoring the attempts a corrected answer key
 * touches (rescore.h). The rules themselves (scores, days) are rules/. */
#ifndef ENGINES_QUIZ_H
#define ENGINES_QUIZ_H

#include "engines/quiz/contest.h"
#include "engines/quiz/eligibility.h"
#include "engines/quiz/rescore.h"
#include "engines/quiz/start.h"
#include "engines/quiz/submit.h"

#endif
