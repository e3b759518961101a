build-fp/engines/boards/apply.o: engines/boards/apply.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h server/clock.h \
 lib/mono.h server/config.h server/log.h server/router.h rules/mask.h \
 rules/rank_key.h
engines/boards/boards.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/internal.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
rules/mask.h:
rules/rank_key.h:
