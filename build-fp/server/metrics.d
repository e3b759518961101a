build-fp/server/metrics.o: server/metrics.c server/metrics.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 server/config.h server/router.h lib/group_commit.h
server/metrics.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/config.h:
server/router.h:
lib/group_commit.h:
