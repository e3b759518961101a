build-fp/server/server.o: server/server.c server/server.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 server/clock.h lib/mono.h server/config.h server/fcgi.h \
 server/listener.h server/log.h server/metrics.h server/park.h \
 server/peers.h server/queue.h server/router.h server/worker.h
server/server.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/fcgi.h:
server/listener.h:
server/log.h:
server/metrics.h:
server/park.h:
server/peers.h:
server/queue.h:
server/router.h:
server/worker.h:
