build-fp/engines/boards/submit_ranks.o: engines/boards/submit_ranks.c \
 engines/boards/boards.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h engines/boards/internal.h
engines/boards/boards.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/internal.h:
