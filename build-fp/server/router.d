build-fp/server/router.o: server/router.c server/router.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 server/config.h server/log.h
server/router.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/config.h:
server/log.h:
