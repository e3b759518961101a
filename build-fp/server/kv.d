build-fp/server/kv.o: server/kv.c server/kv.h server/arena.h \
 server/clock.h lib/mono.h server/config.h server/log.h lib/hostport.h
server/kv.h:
server/arena.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
lib/hostport.h:
