build-fp/engines/boards/rebuild.o: engines/boards/rebuild.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h \
 engines/quiz/contest.h server/clock.h lib/mono.h server/config.h \
 server/log.h server/router.h rules/score.h lib/iso8601.h lib/crypto.h
engines/boards/boards.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/internal.h:
engines/quiz/contest.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
rules/score.h:
lib/iso8601.h:
lib/crypto.h:
