build-fp/engines/quiz/contest.o: engines/quiz/contest.c \
 engines/quiz/contest.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/quiz/contest_cache.h server/clock.h \
 lib/mono.h server/config.h server/log.h server/router.h rules/score.h \
 lib/iso8601.h
engines/quiz/contest.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/quiz/contest_cache.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
rules/score.h:
lib/iso8601.h:
