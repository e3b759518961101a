build-fp/engines/console/units_admin.o: engines/console/units_admin.c \
 engines/console/console.h server/arena.h server/db.h server/status.h \
 rules/score.h lib/iso8601.h server/clock.h lib/mono.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
