build-fp/engines/quiz/start_group.o: engines/quiz/start_group.c \
 engines/quiz/start_group.h lib/group_commit.h engines/quiz/contest.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 rules/eligibility.h server/log.h
engines/quiz/start_group.h:
lib/group_commit.h:
engines/quiz/contest.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
rules/eligibility.h:
server/log.h:
