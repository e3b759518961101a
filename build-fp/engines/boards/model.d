build-fp/engines/boards/model.o: engines/boards/model.c \
 engines/boards/internal.h server/arena.h server/db.h server/status.h \
 server/kv.h rules/board_keys.h rules/mask.h rules/rank_key.h
engines/boards/internal.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
rules/board_keys.h:
rules/mask.h:
rules/rank_key.h:
