build-fp/server/migrate.o: server/migrate.c server/migrate.h server/db.h \
 server/arena.h server/status.h server/log.h
server/migrate.h:
server/db.h:
server/arena.h:
server/status.h:
server/log.h:
