build-fp/engines/accounts/login_replay.o: engines/accounts/login_replay.c \
 engines/accounts/login_replay.h server/request.h server/arena.h \
 server/db.h server/status.h server/kv.h server/clock.h lib/mono.h \
 server/config.h server/log.h server/router.h engines/accounts/seal.h \
 wx/wx_client.h lib/crypto.h
engines/accounts/login_replay.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
engines/accounts/seal.h:
wx/wx_client.h:
lib/crypto.h:
