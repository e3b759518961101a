build-fp/engines/quiz/submit.o: engines/quiz/submit.c \
 engines/quiz/submit.h server/db.h server/arena.h server/status.h \
 server/request.h server/kv.h engines/quiz/group.h lib/group_commit.h \
 rules/attempt.h server/park.h
engines/quiz/submit.h:
server/db.h:
server/arena.h:
server/status.h:
server/request.h:
server/kv.h:
engines/quiz/group.h:
lib/group_commit.h:
rules/attempt.h:
server/park.h:
