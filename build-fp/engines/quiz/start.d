build-fp/engines/quiz/start.o: engines/quiz/start.c engines/quiz/start.h \
 engines/quiz/contest.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/quiz/bank.h rules/paper_draw.h \
 rules/attempt.h engines/quiz/paper_text.h engines/quiz/start_group.h \
 lib/group_commit.h lib/crypto.h rules/score.h lib/iso8601.h server/log.h \
 server/park.h
engines/quiz/start.h:
engines/quiz/contest.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/quiz/bank.h:
rules/paper_draw.h:
rules/attempt.h:
engines/quiz/paper_text.h:
engines/quiz/start_group.h:
lib/group_commit.h:
lib/crypto.h:
rules/score.h:
lib/iso8601.h:
server/log.h:
server/park.h:
