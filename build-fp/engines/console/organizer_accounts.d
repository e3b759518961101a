build-fp/engines/console/organizer_accounts.o: \
 engines/console/organizer_accounts.c engines/console/console.h \
 server/arena.h server/db.h server/status.h server/kv.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
