build-fp/engines/quiz/scoring.o: engines/quiz/scoring.c \
 engines/quiz/scoring.h engines/quiz/group.h engines/quiz/submit.h \
 server/db.h server/arena.h server/status.h server/request.h server/kv.h \
 lib/group_commit.h rules/attempt.h engines/quiz/bank.h \
 rules/paper_draw.h rules/score.h lib/iso8601.h
engines/quiz/scoring.h:
engines/quiz/group.h:
engines/quiz/submit.h:
server/db.h:
server/arena.h:
server/status.h:
server/request.h:
server/kv.h:
lib/group_commit.h:
rules/attempt.h:
engines/quiz/bank.h:
rules/paper_draw.h:
rules/score.h:
lib/iso8601.h:
