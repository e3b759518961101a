build-fp/engines/console/uploads.o: engines/console/uploads.c \
 engines/console/console.h server/arena.h server/db.h server/status.h \
 rules/area.h server/clock.h lib/mono.h lib/crypto.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
rules/area.h:
server/clock.h:
lib/mono.h:
lib/crypto.h:
