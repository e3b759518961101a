build-fp/engines/boards/cache.o: engines/boards/cache.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h lib/fnv.h
engines/boards/boards.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/internal.h:
lib/fnv.h:
