build-fp/engines/accounts/ratelimit.o: engines/accounts/ratelimit.c \
 engines/accounts/ratelimit.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h server/clock.h lib/mono.h lib/crypto.h
engines/accounts/ratelimit.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/clock.h:
lib/mono.h:
lib/crypto.h:
