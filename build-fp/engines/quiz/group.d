build-fp/engines/quiz/group.o: engines/quiz/group.c engines/quiz/group.h \
 engines/quiz/submit.h server/db.h server/arena.h server/status.h \
 server/request.h server/kv.h lib/group_commit.h rules/attempt.h \
 engines/quiz/scoring.h rules/eligibility.h rules/score.h lib/iso8601.h \
 server/log.h
engines/quiz/group.h:
engines/quiz/submit.h:
server/db.h:
server/arena.h:
server/status.h:
server/request.h:
server/kv.h:
lib/group_commit.h:
rules/attempt.h:
engines/quiz/scoring.h:
rules/eligibility.h:
rules/score.h:
lib/iso8601.h:
server/log.h:
