build-fp/engines/boards/people_stream.o: engines/boards/people_stream.c \
 engines/boards/internal.h server/arena.h server/db.h server/status.h \
 server/kv.h rules/board_keys.h
engines/boards/internal.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
rules/board_keys.h:
