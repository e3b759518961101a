build-fp/engines/boards/read.o: engines/boards/read.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h server/clock.h \
 lib/mono.h server/config.h lib/fnv.h server/log.h server/router.h \
 rules/board_keys.h rules/rank_key.h rules/region_code.h
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
lib/fnv.h:
server/log.h:
server/router.h:
rules/board_keys.h:
rules/rank_key.h:
rules/region_code.h:
