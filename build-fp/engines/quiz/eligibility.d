build-fp/engines/quiz/eligibility.o: engines/quiz/eligibility.c \
 engines/quiz/eligibility.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/quiz/contest.h rules/eligibility.h
engines/quiz/eligibility.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/quiz/contest.h:
rules/eligibility.h:
