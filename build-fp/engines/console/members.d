build-fp/engines/console/members.o: engines/console/members.c \
 engines/console/console.h server/arena.h server/db.h server/status.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
