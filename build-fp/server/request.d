build-fp/server/request.o: server/request.c server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h server/log.h \
 server/router.h
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/log.h:
server/router.h:
