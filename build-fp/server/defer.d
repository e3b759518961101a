build-fp/server/defer.o: server/defer.c server/defer.h server/kv.h \
 server/arena.h server/request.h server/db.h server/status.h \
 lib/group_commit.h server/park.h server/worker.h
server/defer.h:
server/kv.h:
server/arena.h:
server/request.h:
server/db.h:
server/status.h:
lib/group_commit.h:
server/park.h:
server/worker.h:
