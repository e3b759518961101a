build-fp/engines/accounts/seal.o: engines/accounts/seal.c \
 engines/accounts/seal.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h server/config.h server/log.h lib/crypto.h
engines/accounts/seal.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/config.h:
server/log.h:
lib/crypto.h:
