build-fp/server/park_wait.o: server/park_wait.c server/park.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h
server/park.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
