build-fp/engines/console/applications.o: engines/console/applications.c \
 engines/console/console.h server/arena.h server/db.h server/status.h \
 rules/area.h rules/score.h lib/iso8601.h server/clock.h lib/mono.h
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
rules/area.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
